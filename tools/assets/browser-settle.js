async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
    await Promise.all([...document.images].map(img => {
        img.loading = 'eager';
        return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
    }));
}
