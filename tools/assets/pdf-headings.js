() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length && getComputedStyle(h).visibility !== 'hidden')
  .map(h => {
    const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink').forEach(a => a.remove());
    return c.textContent.replace(/\s+/g, ' ').trim();
  })
