() => {
  const article = document.querySelector('article');
  const box = article.getBoundingClientRect();
  let shrunk = 0;
  for (const c of document.querySelectorAll('mjx-container')) {
    const m = c.querySelector('mjx-math');
    if (!m) { continue; }
    const display = c.getAttribute('display') === 'true';
    const avail = display ? c.getBoundingClientRect().width : box.width;
    const need = m.getBoundingClientRect().width;
    if (need > avail) {
      c.style.fontSize = Math.floor(97 * avail / need) + '%';
      shrunk += 1;
    }
  }
  const cut = [];
  const blocks = 'pre, table, img, .cell_output, div.highlight, mjx-container, .math, figure, .output';
  for (const e of document.querySelectorAll(blocks)) {
    if (e.closest('mjx-assistive-mml') || !e.getClientRects().length) { continue; }
    const r = e.getBoundingClientRect();
    const inner = e.tagName === 'MJX-CONTAINER' ? e.querySelector('mjx-math').getBoundingClientRect() : r;
    if (Math.max(r.right, inner.right) > box.right + 4 || (!e.matches('.math, mjx-container') && e.clientWidth > 0 && e.scrollWidth - e.clientWidth > 4)) {
      const where = e.closest('section');
      cut.push(`${e.tagName.toLowerCase()} in #${where ? where.id : "?"}: ${(e.textContent || "").replace(/\s+/g, " ").slice(0, 60)}`);
    }
  }
  return {shrunk, cut};
}
