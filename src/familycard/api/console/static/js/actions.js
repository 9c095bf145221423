// What a caseworker does to a task or an offer: close a task with a note, record an answer the
// citizen gave in person (consent or refusal, with why it is entered by staff). Both are the
// API's mutations (closeTask, answerOffer), refused there for a role that may not.

import { gql } from './api.js';
import { field, h } from './dom.js';
import { t } from './i18n.js';

const MAX_TEXT = 500; // the API's limit for a note or a reason (trimmed; control characters refused)

const CLOSE = `mutation CloseTask($input: CloseTaskInput!) {
  closeTask(input: $input) {
    __typename
    ... on TaskClosed { task { id status closedAt closedBy note } }
    ... on InvalidInput { message field }
  }
}`;

const ANSWER = `mutation AnswerOffer($input: AnswerOfferInput!) {
  answerOffer(input: $input) {
    __typename
    ... on OfferAnswered { decision paymentOrders repliesQueued offer { id status } }
    ... on InvalidInput { message field }
  }
}`;

function newId() {
  // one id per form shown: a double click or a retry after a lost answer changes nothing twice
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function status() {
  return h('p', { class: 'status', role: 'status' });
}

function say(out, text, kind) {
  out.textContent = text;
  out.className = `status ${kind}`;
}

/** A form's text field, trimmed, or null (and why, in `out`) when it is empty. */
function required(input, out, why) {
  const text = input.value.trim();
  if (text) return text;
  say(out, why, 'error');
  input.focus();
  return null;
}

/** Run `call` (a mutation's union: a result, or InvalidInput naming what is wrong) with the form's
 *  button disabled meanwhile; what came of it is said in `out`, onDone(result) after a success. */
async function submit(button, out, call, told, onDone) {
  button.disabled = true;
  try {
    const r = await call();
    if (r.__typename !== 'InvalidInput') {
      say(out, told(r), 'ok');
      onDone(r);
      return;
    }
    say(out, r.message, 'error');
  } catch (err) {
    say(out, err.message, 'error');
  }
  button.disabled = false;
}

/** A form closing task `taskId` with a note; onDone(task) after. */
export function closeForm(taskId, onDone) {
  const note = h('textarea', { name: 'note', rows: 2, maxlength: MAX_TEXT, required: true });
  const out = status();
  const button = h('button', { type: 'submit' }, t('task.close'));
  return h('form', {
    class: 'action close-task',
    onsubmit: (e) => {
      e.preventDefault();
      const text = required(note, out, t('task.needNote'));
      if (text === null) return;
      submit(button, out, async () => (await gql(CLOSE, { input: { taskId, note: text } })).closeTask,
        () => t('task.closed'), (r) => onDone(r.task));
    },
  }, field(t('task.note'), note), button, out);
}

/** What an in-person answer did, in words. */
export function answered(r) {
  return t('answer.done', { decision: t(`decision.${r.decision}`), orders: r.paymentOrders, sms: r.repliesQueued });
}

/** A form recording an in-person consent or refusal to offer `offerId`; onDone(result) after. */
export function answerForm(offerId, onDone) {
  const id = newId();
  const decision = h('select', { name: 'decision' },
    h('option', { value: 'CONSENT' }, t('answer.CONSENT')), h('option', { value: 'REFUSAL' }, t('answer.REFUSAL')));
  const reason = h('input', { name: 'reason', maxlength: MAX_TEXT, required: true, autocomplete: 'off' });
  const out = status();
  const button = h('button', { type: 'submit' }, t('answer.submit'));
  return h('form', {
    class: 'action answer-offer',
    onsubmit: (e) => {
      e.preventDefault();
      const why = required(reason, out, t('answer.needReason'));
      if (why === null) return;
      submit(button, out, async () => (await gql(ANSWER, {
        input: { offerId, decision: decision.value, reason: why, id },
      })).answerOffer, answered, onDone);
    },
  },
  h('fieldset', {}, h('legend', {}, t('answer.title')),
    field(t('answer.decision'), decision), field(t('answer.reason'), reason, t('answer.reasonHint')), button, out));
}
