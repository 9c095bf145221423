// The family graph drawn with Cytoscape.js (vendored: static/vendor/cytoscape), and the same
// people as a list beside it: the list is what a keyboard or a screen reader uses, and what the
// tests count. Kinship types differ in colour and line style (a legend says which), sex in
// shape and colour, the dead are grey with a dashed border and a †, the household (everyone
// registered at the centre person's address) is outlined as one compound node. Laid out as a
// family tree (tree.js: generations in rows, Cytoscape's `preset` layout), the centre person's
// generation on a shaded band.

import { h } from './dom.js';
import { t } from './i18n.js';
import { age, date, fullName } from './format.js';
import { DX, familyTree } from './tree.js';

export const KINDS = ['PARENT_OF', 'SPOUSE_OF', 'GUARDIAN_OF'];

const STYLE = [
  { selector: 'node', style: {
    label: 'data(label)', 'text-wrap': 'wrap', 'text-max-width': 120, 'font-size': 10, 'text-valign': 'bottom',
    'text-margin-y': 3, width: 26, height: 26, 'border-width': 2, color: '#1a202c',
    // names too small to read are not drawn (a 500-person graph zoomed out to fit): the list says them
    'min-zoomed-font-size': 7,
  } },
  { selector: 'node[sex = "F"]', style: { shape: 'ellipse', 'background-color': '#fbd3e9', 'border-color': '#97266d' } },
  { selector: 'node[sex = "M"]', style: { shape: 'round-rectangle', 'background-color': '#cfe2fa', 'border-color': '#2a4365' } },
  { selector: 'node.dead', style: { 'background-color': '#d4d4d4', 'border-color': '#4a4a4a', 'border-style': 'dashed', color: '#4a4a4a' } },
  { selector: 'node.root', style: { 'border-width': 5, width: 34, height: 34, 'font-weight': 'bold' } },
  { selector: ':parent', style: {
    shape: 'round-rectangle', 'background-color': '#c6f6d5', 'background-opacity': 0.25, 'border-color': '#276749',
    'border-width': 2, 'border-style': 'solid', label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center',
    'text-margin-y': -4, padding: 14, 'font-size': 11, color: '#276749',
  } },
  { selector: 'node.centre-row', style: {
    shape: 'round-rectangle', 'background-color': '#fefcbf', 'background-opacity': 0.7, 'border-width': 0, label: '',
    width: 'data(width)', height: 'data(height)', 'z-compound-depth': 'bottom', events: 'no',
  } },
  { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'arrow-scale': 1.1 } },
  { selector: 'edge[type = "PARENT_OF"]', style: {
    'line-color': '#2b6cb0', 'target-arrow-color': '#2b6cb0', 'target-arrow-shape': 'triangle', 'line-style': 'solid',
  } },
  { selector: 'edge[type = "SPOUSE_OF"]', style: { 'line-color': '#c53030', 'line-style': 'dashed', width: 3 } },
  { selector: 'edge[type = "GUARDIAN_OF"]', style: {
    'line-color': '#2f855a', 'target-arrow-color': '#2f855a', 'target-arrow-shape': 'vee', 'line-style': 'dotted', width: 3,
  } },
  { selector: 'edge.ended', style: { opacity: 0.4 } },
];

/** What the list says of one person: name, sex, age (or † and dates), household. */
export function describe(node, householdIds) {
  const c = node.citizen;
  const bits = [fullName(c), t(`sex.${c.sex}`)];
  if (c.alive) bits.push(t('graph.age', { n: age(c.birthDate) }));
  else bits.push(`† ${date(c.deathDate)} (${t('graph.age', { n: age(c.birthDate, c.deathDate) })})`);
  bits.push(node.distance === 0 ? t('graph.centre') : t('graph.hops', { n: node.distance }));
  if (householdIds.has(node.id)) bits.push(t('graph.inHousehold'));
  return bits.join(' · ');
}

function elements(graph, tree) {
  const root = graph.nodes.find((n) => n.id === graph.root);
  const address = root && root.citizen.addressId;
  const household = new Set(address ? graph.nodes.filter((n) => n.citizen.addressId === address).map((n) => n.id) : []);
  const out = [];
  const band = root ? tree.rows.find((r) => r.generation === tree.generation[root.id]) : null;
  if (band) {
    // the centre person's generation: a band under the row (drawn first and beneath, not clickable)
    out.push({ group: 'nodes', classes: 'centre-row', data: {
      id: '__centre_row', width: band.right - band.left + 2 * DX, height: band.bottom - band.top + DX,
    }, position: { x: (band.left + band.right) / 2, y: (band.top + band.bottom) / 2 }, selectable: false, grabbable: false });
  }
  if (household.size) out.push({ group: 'nodes', data: { id: '__household', label: t('graph.household') }, classes: 'household' });
  for (const n of graph.nodes) {
    const c = n.citizen;
    const years = c.alive ? age(c.birthDate) : age(c.birthDate, c.deathDate);
    const label = `${c.surname} ${c.givenName}\n${c.alive ? years : `† ${years}`}`;
    out.push({
      group: 'nodes',
      data: { id: n.id, label, sex: c.sex, parent: household.has(n.id) ? '__household' : undefined, distance: n.distance },
      position: { ...tree.position[n.id] },
      classes: [c.alive ? 'alive' : 'dead', n.id === graph.root ? 'root' : ''].join(' ').trim(),
    });
  }
  graph.edges.forEach((e, i) => out.push({
    group: 'edges', data: { id: `e${i}`, source: e.from, target: e.to, type: e.type }, classes: e.until ? 'ended' : '',
  }));
  return { out, household };
}

export function legend() {
  return h('ul', { class: 'legend', 'aria-label': t('graph.legend') },
    KINDS.map((k) => h('li', {}, h('span', { class: `swatch kind-${k}`, 'aria-hidden': 'true' }), t(`kin.${k}`))),
    h('li', {}, h('span', { class: 'swatch node-F', 'aria-hidden': 'true' }), t('sex.F')),
    h('li', {}, h('span', { class: 'swatch node-M', 'aria-hidden': 'true' }), t('sex.M')),
    h('li', {}, h('span', { class: 'swatch node-dead', 'aria-hidden': 'true' }), t('graph.dead')),
    h('li', {}, h('span', { class: 'swatch household', 'aria-hidden': 'true' }), t('graph.household')));
}

/**
 * Draw `graph` (the API's FamilyGraph) into `canvasBox` and list its people in `listBox`; a
 * click on a person (or Enter on their list item) calls onSelect(id). Resolves once drawn.
 */
export function draw(canvasBox, listBox, graph, onSelect) {
  const tree = familyTree(graph);
  const { out, household } = elements(graph, tree);
  const list = h('ol', { id: 'graph-people', class: 'graph-people', 'aria-label': t('graph.people') },
    graph.nodes.map((n) => h('li', {
      tabindex: 0, dataset: { id: n.id, distance: n.distance, generation: tree.generation[n.id] }, class: n.citizen.alive ? 'alive' : 'dead',
      'aria-current': n.id === graph.root ? 'true' : null,
      onclick: () => { if (n.id !== graph.root) onSelect(n.id); },
      onkeydown: (e) => { if (e.key === 'Enter' && n.id !== graph.root) { e.preventDefault(); onSelect(n.id); } },
    }, describe(n, household))));
  listBox.replaceChildren(list);

  const cytoscape = window.cytoscape;
  if (typeof cytoscape !== 'function') {
    canvasBox.replaceChildren(h('p', { class: 'error' }, t('graph.noLibrary')));
    return Promise.resolve(null);
  }
  // the places are the tree's (computed above, in a few ms for 500 people): nothing to simulate
  const layout = { name: 'preset', fit: true, padding: 24, animate: false };
  return new Promise((resolve) => {
    const cy = cytoscape({
      container: canvasBox, elements: out, style: STYLE, layout, wheelSensitivity: 0.3, minZoom: 0.02, maxZoom: 3,
      boxSelectionEnabled: false, autoungrabify: false,
    });
    cy.on('tap', 'node', (e) => {
      const id = e.target.id();
      if (id !== '__household' && id !== '__centre_row' && id !== graph.root) onSelect(id);
    });
    // where each person is on the canvas, for whoever needs to point at them (a test's click)
    const place = () => {
      const band = cy.getElementById('__centre_row');
      if (!band.empty()) canvasBox.dataset.centreY = Math.round(band.renderedPosition().y);
      for (const li of list.children) {
        const node = cy.getElementById(li.dataset.id);
        if (!node.empty()) {
          const p = node.renderedPosition();
          li.dataset.x = Math.round(p.x);
          li.dataset.y = Math.round(p.y);
        }
      }
    };
    cy.on('viewport', place);
    cy.ready(() => {
      place();
      resolve(cy);
    });
  });
}
