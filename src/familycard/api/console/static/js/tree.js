// The family graph laid out as caseworkers read a family: generations in rows, parents above
// their children, spouses side by side on one row, children under their parents. No DOM and no
// imports: a pure function of the API's FamilyGraph (the tests call it in the page as well).
//
// 1. Rows. Spouses (SPOUSE_OF, ended or not) are one block on one row: the blocks are a union-find's
//    sets. PARENT_OF and GUARDIAN_OF put the child's block at least one row below the adult's:
//    the longest path from the top over the blocks (Kahn's order, so a shared child of two
//    couples sits below both: step and half families, remarriages). A block with children and
//    no parents in the cut (an in-law's parents, someone at the edge of the hops) is then moved
//    down to just above its highest child instead of the top row. Links that would make someone
//    their own ancestor (data no registry should hold) are left out of the rows, not looped on.
// 2. Order within a row: blocks sorted by the mean place of their members' parents (down),
//    then of their children (up), then down again (the barycentre heuristic); a block's members
//    in the order their marriages chain (a man between his two wives), so couples stay adjacent.
// 3. Places: a row longer than WRAP people goes on several lines (a 500-person cut is 500 in a
//    row otherwise), a block never split; lines centred.
// Time: linear in people and links but for the sorts (n log n): 500 people in a few ms.

export const DX = 120; // between people on a line: a name label wraps at 120 px (10 px type), so no two overlap
const GAP = 30; // more between blocks than within one
const DY = 120; // between generations
const LINE = 70; // between the lines of one long generation
const WRAP = 30;

/**
 * Rows and places for `graph` ({ root, nodes: [{ id }], edges: [{ from, to, type }] }):
 * { generation: {id: row (0 top)}, position: {id: {x, y}}, rows: [{ generation, top, bottom, left, right }] }.
 */
export function familyTree(graph) {
  const ids = graph.nodes.map((n) => n.id);
  const at = new Map(ids.map((id, i) => [id, i]));
  const links = graph.edges.filter((e) => at.has(e.from) && at.has(e.to) && e.from !== e.to);

  // 1. blocks of spouses
  const up = ids.map((_, i) => i);
  const find = (i) => {
    while (up[i] !== i) {
      up[i] = up[up[i]];
      i = up[i];
    }
    return i;
  };
  const spouses = ids.map(() => []);
  for (const e of links) {
    if (e.type !== 'SPOUSE_OF') continue;
    const a = at.get(e.from);
    const b = at.get(e.to);
    spouses[a].push(b);
    spouses[b].push(a);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) up[ra] = rb;
  }
  const block = ids.map((_, i) => find(i));
  const members = new Map(); // block -> [person index], in the graph's order
  ids.forEach((_, i) => {
    if (!members.has(block[i])) members.set(block[i], []);
    members.get(block[i]).push(i);
  });
  const blocks = [...members.keys()];

  // parents and children, of people and of blocks
  const parentsOf = ids.map(() => []);
  const childrenOf = ids.map(() => []);
  const below = new Map(blocks.map((b) => [b, new Set()]));
  const aboveCount = new Map(blocks.map((b) => [b, 0]));
  for (const e of links) {
    if (e.type !== 'PARENT_OF' && e.type !== 'GUARDIAN_OF') continue;
    const a = at.get(e.from);
    const c = at.get(e.to);
    parentsOf[c].push(a);
    childrenOf[a].push(c);
    if (block[a] !== block[c] && !below.get(block[a]).has(block[c])) {
      below.get(block[a]).add(block[c]);
      aboveCount.set(block[c], aboveCount.get(block[c]) + 1);
    }
  }
  const hasParents = new Set(blocks.filter((b) => aboveCount.get(b) > 0));

  // longest path from the top, in Kahn's order
  const row = new Map(blocks.map((b) => [b, 0]));
  const waiting = new Map(aboveCount);
  const queue = blocks.filter((b) => waiting.get(b) === 0);
  const done = new Set();
  for (let q = 0; q < queue.length; q += 1) {
    const b = queue[q];
    done.add(b);
    for (const c of below.get(b)) {
      row.set(c, Math.max(row.get(c), row.get(b) + 1));
      waiting.set(c, waiting.get(c) - 1);
      if (waiting.get(c) === 0) queue.push(c);
    }
  }
  // (a cycle's blocks never reach 0 waiting: they keep the row their placed parents gave them)
  for (const b of blocks) {
    if (hasParents.has(b) || !below.get(b).size) continue;
    row.set(b, Math.min(...[...below.get(b)].map((c) => row.get(c))) - 1);
  }
  const top = Math.min(...row.values());
  const rows = [];
  for (const b of blocks) {
    const r = row.get(b) - top;
    while (rows.length <= r) rows.push([]);
    rows[r].push(b);
  }

  // members of a block in the order their marriages chain: from one with the fewest spouses
  const chain = new Map();
  for (const [b, list] of members) {
    if (list.length < 3) {
      chain.set(b, list);
      continue;
    }
    const start = list.reduce((s, i) => (spouses[i].length < spouses[s].length ? i : s), list[0]);
    const seen = new Set();
    const order = [];
    const stack = [start];
    while (stack.length) {
      const i = stack.pop();
      if (seen.has(i)) continue;
      seen.add(i);
      order.push(i);
      for (const j of [...spouses[i]].reverse()) if (!seen.has(j)) stack.push(j);
    }
    chain.set(b, order);
  }

  // 2. order within rows: barycentres, down, up, down
  const place = new Float64Array(ids.length); // a person's slot in their row, centred on 0
  const slot = (r) => {
    let n = 0;
    for (const b of rows[r]) for (const i of chain.get(b)) { place[i] = n; n += 1; }
    for (const b of rows[r]) for (const i of chain.get(b)) place[i] -= (n - 1) / 2;
  };
  rows.forEach((_, r) => slot(r));
  const sweep = (r, toward) => {
    const key = new Map();
    for (const b of rows[r]) {
      let sum = 0;
      let n = 0;
      for (const i of chain.get(b)) for (const j of toward[i]) { sum += place[j]; n += 1; }
      const own = chain.get(b).reduce((s, i) => s + place[i], 0) / chain.get(b).length;
      key.set(b, n ? sum / n : own);
    }
    rows[r].sort((a, b) => key.get(a) - key.get(b)); // stable: ties keep their order
    slot(r);
  };
  for (let r = 1; r < rows.length; r += 1) sweep(r, parentsOf);
  for (let r = rows.length - 2; r >= 0; r -= 1) sweep(r, childrenOf);
  for (let r = 1; r < rows.length; r += 1) sweep(r, parentsOf);

  // 3. places: lines of at most WRAP people (a block whole), each centred
  const generation = {};
  const position = {};
  const bands = [];
  let y = 0;
  rows.forEach((list, r) => {
    if (!list.length) return; // (no one is on an empty row: Kahn's rows have no gaps, but be sure)
    const lines = [[]];
    let count = 0;
    for (const b of list) {
      const size = chain.get(b).length;
      if (count && count + size > WRAP) {
        lines.push([]);
        count = 0;
      }
      lines[lines.length - 1].push(b);
      count += size;
    }
    const first = y;
    let left = Infinity;
    let right = -Infinity;
    lines.forEach((line, k) => {
      const xs = [];
      let x = 0;
      for (const [n, b] of line.entries()) {
        if (n) x += GAP;
        for (const i of chain.get(b)) { xs.push([i, x]); x += DX; }
      }
      const shift = (x - DX) / 2;
      for (const [i, x0] of xs) {
        generation[ids[i]] = r;
        position[ids[i]] = { x: x0 - shift, y: first + k * LINE };
        left = Math.min(left, x0 - shift);
        right = Math.max(right, x0 - shift);
      }
    });
    const last = first + (lines.length - 1) * LINE;
    bands.push({ generation: r, top: first, bottom: last, left, right });
    y = last + DY;
  });
  return { generation, position, rows: bands };
}
