/* The book's static sliders: each interactive figure of a notebook was drawn in advance over a grid
 * of control positions (tools/site.py); this script swaps the figure's image and text to the frame
 * of the controls' current positions as the reader drags, uses the keyboard, picks an option or
 * ticks a box. No kernel is involved.
 *
 * Markup (written by tools/site.py):
 *   <div class="book-slider-figure" data-manifest="_frames/NAME/figK/manifest.json">
 *     <div class="book-slider-controls"> ... <input type="range" data-control="0"> <output> ...
 *       <select data-control="1"> ... <input type="checkbox" data-control="2"> ... </div>
 *     <img class="book-slider-image"> <pre class="book-slider-text"> </div>
 * A range input's value is the index of a rendered position (so it snaps to one); a select's value
 * is an option's index; a checkbox is position 0 (off) or 1 (on). The manifest lists the controls
 * (their position labels) and the frames in row-major order over the controls: {src, text}.
 *
 * Loading is lazy: the manifest when the figure comes near the viewport, the frames on the first
 * interaction with the figure. Each frame shown fires a "book-slider-frame" event on the figure
 * (detail: frame index, latency in ms from the input event to the frame's first paint), which the
 * tests and the latency benchmark read.
 */
(function () {
  "use strict";

  function setup(fig) {
    let img = fig.querySelector("img.book-slider-image");
    const text = fig.querySelector(".book-slider-text");
    const inputs = Array.from(fig.querySelectorAll("[data-control]"));
    const url = new URL(fig.dataset.manifest, document.baseURI);
    let manifest = null;      // promise of the manifest
    let cache = null;         // preloaded frames (Image objects)
    let pending = 0;          // the latest request wins

    function loadManifest() {
      if (!manifest) {
        manifest = fetch(url).then(function (r) {
          if (!r.ok) throw new Error("book-sliders: " + url + ": HTTP " + r.status);
          return r.json();
        });
        manifest.catch(function (e) { fail(String(e && e.message || e)); });
      }
      return manifest;
    }

    function preload() {
      if (cache) return;
      cache = [];
      loadManifest().then(function (m) {
        m.frames.forEach(function (f, i) {
          const im = new Image();
          im.src = new URL(f.src, url).href;
          cache[i] = im;
          if (im.decode) im.decode().catch(function () { /* reported when shown */ });
        });
      });
    }

    function fail(message) {
      fig.classList.add("book-slider-error");
      fig.dataset.error = message;
      console.error(message);
    }

    function position(input) {
      if (input.type === "checkbox") return input.checked ? 1 : 0;
      return parseInt(input.value, 10);
    }

    function show(event) {
      const t0 = event && event.timeStamp !== undefined ? event.timeStamp : performance.now();
      const ticket = ++pending;
      preload();
      loadManifest().then(function (m) {
        if (ticket !== pending) return;
        let index = 0;
        inputs.forEach(function (input, c) {
          const control = m.controls[c];
          const p = Math.max(0, Math.min(control.labels.length - 1, position(input)));
          index = index * control.labels.length + p;
          const readout = input.parentElement.querySelector(".book-slider-readout");
          if (readout) readout.textContent = control.labels[p];
          if (input.type === "range") input.setAttribute("aria-valuetext", control.labels[p]);
        });
        const frame = m.frames[index];
        if (!frame) { fail("book-sliders: no frame " + index + " in " + url); return; }
        const src = new URL(frame.src, url).href;
        const ready = cache && cache[index];
        const painted = function () {
          requestAnimationFrame(function () {
            fig.dispatchEvent(new CustomEvent("book-slider-frame", {
              detail: {frame: index, src: src, latency: performance.now() - t0}}));
          });
        };
        if (ready && ready.complete && ready.naturalWidth > 0 && ready !== img) {
          // a preloaded, decoded frame: put its element in place (no decoding on the way)
          ready.className = img.className;
          ready.alt = img.alt;
          ready.width = img.width;
          ready.height = img.height;
          img.replaceWith(ready);
          img = ready;
          text.textContent = frame.text;
          fig.dataset.frame = String(index);
          painted();
          return;
        }
        if (ready === img) { text.textContent = frame.text; painted(); return; }
        img.onerror = function () { fail("book-sliders: frame " + src + " failed to load"); };
        img.src = src;
        text.textContent = frame.text;
        fig.dataset.frame = String(index);
        if (img.decode) img.decode().then(painted, function () { /* onerror reports */ });
        else painted();
      });
    }

    inputs.forEach(function (input) {
      input.addEventListener(input.type === "range" ? "input" : "change", show);
      input.addEventListener("pointerdown", preload);
      input.addEventListener("focus", preload);
    });
    if ("IntersectionObserver" in window) {
      const seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          loadManifest();
        }
      }, {rootMargin: "200px"});
      seen.observe(fig);
    }
  }

  function start() {
    document.querySelectorAll(".book-slider-figure").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
