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

/** A form closing task `taskId` with a note; onDone(task) after. */
export function closeForm(taskId, onDone) {
  const note = h('textarea', { name: 'note', rows: 2, maxlength: MAX_TEXT, required: true });
  const out = status();
  const button = h('button', { type: 'submit' }, t('task.close'));
  return h('form', {
    class: 'action close-task',
    onsubmit: async (e) => {
      e.preventDefault();
      const text = note.value.trim();
      if (!text) {
        out.textContent = t('task.needNote');
        out.className = 'status error';
        note.focus();
        return;
      }
      button.disabled = true;
      try {
        const r = (await gql(CLOSE, { input: { taskId, note: text } })).closeTask;
        if (r.__typename === 'TaskClosed') {
          out.textContent = t('task.closed');
          out.className = 'status ok';
          onDone(r.task);
          return;
        }
        out.textContent = r.message;
        out.className = 'status error';
      } catch (err) {
        out.textContent = err.message;
        out.className = 'status error';
      }
      button.disabled = false;
    },
  }, field(t('task.note'), note), button, out);
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
    onsubmit: async (e) => {
      e.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        out.textContent = t('answer.needReason');
        out.className = 'status error';
        reason.focus();
        return;
      }
      button.disabled = true;
      try {
        const r = (await gql(ANSWER, { input: { offerId, decision: decision.value, reason: why, id } })).answerOffer;
        if (r.__typename === 'OfferAnswered') {
          out.textContent = t('answer.done', { decision: t(`decision.${r.decision}`), orders: r.paymentOrders, sms: r.repliesQueued });
          out.className = 'status ok';
          onDone(r);
          return;
        }
        out.textContent = r.message;
        out.className = 'status error';
      } catch (err) {
        out.textContent = err.message;
        out.className = 'status error';
      }
      button.disabled = false;
    },
  },
  h('fieldset', {}, h('legend', {}, t('answer.title')),
    field(t('answer.decision'), decision), field(t('answer.reason'), reason, t('answer.reasonHint')), button, out));
}
