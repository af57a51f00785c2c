async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.typesetPromise) { await MathJax.typesetPromise(); }
  }
  await Promise.all([...document.images].map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
  }));
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return {
    mathjax: !!(window.MathJax && MathJax.startup),
    math: document.querySelectorAll('mjx-container').length,
    texErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    brokenImages: [...document.images].filter(i => i.offsetParent !== null && !i.naturalWidth).map(i => i.src),
  };
}
