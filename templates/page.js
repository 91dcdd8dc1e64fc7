(function () {
  'use strict';
  var buttons = document.querySelectorAll('button[data-copy]');
  Array.prototype.forEach.call(buttons, function (button) {
    var input = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-status'));
    if (!input) { return; }
    if (input.hasAttribute('data-relative') && /^https?:$/.test(location.protocol)) {
      try { input.value = new URL(input.value, document.baseURI).href; } catch (e) { /* keep it */ }
    }
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function fallback() {
      input.focus();
      input.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
      say(copied ? '{{ w.copied|escape("js") }}' : '{{ w.copy_by_hand|escape("js") }}');
    }
    button.addEventListener('click', function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () {
          say('{{ w.copied|escape("js") }}');
        }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
(function () {
  'use strict';
  // What is down now, by the reader's clock: the page is built at night,
  // and lists what starts within the next days with its start and end.
  // The list under its heading, and the tags on the events themselves.
  var items = document.querySelectorAll('[data-start][data-end]');
  var none = document.getElementById('{{ w.ids.now|escape("js") }}-none');
  var now = Date.now();
  var shown = 0;
  Array.prototype.forEach.call(items, function (item) {
    var start = Date.parse(item.getAttribute('data-start'));
    var end = Date.parse(item.getAttribute('data-end'));
    var on = start <= now && now < end;
    item.hidden = !on;
    if (on && item.parentNode.classList.contains('now-list')) { shown += 1; }
  });
  var list = document.querySelector('ul.now-list');
  if (list) { list.hidden = shown === 0; }
  if (none) { none.hidden = shown > 0; }
})();
(function () {
  'use strict';
  // The filter over the index's list of systems: shown only with a script
  // (without one the whole list is there, right below).
  var input = document.getElementById('{{ w.ids.picker|escape("js") }}');
  var list = document.getElementById('{{ w.ids.systems|escape("js") }}-list');
  if (!input || !list) { return; }
  var count = document.getElementById('{{ w.ids.picker|escape("js") }}-count');
  var items = list.children;
  input.parentNode.hidden = false;
  input.addEventListener('input', function () {
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(items, function (item) {
      var name = item.firstElementChild ? item.firstElementChild.textContent.toLowerCase() : '';
      var match = name.indexOf(query) !== -1;
      item.hidden = !match;
      if (match) { shown += 1; }
    });
    if (count) { count.textContent = query ? shown + ' / ' + items.length : ''; }
  });
})();
