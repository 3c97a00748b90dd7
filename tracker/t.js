/*! Leadflow tracker (MIT). Page views for an anonymous first-party visitor id; respects
 * Do-Not-Track / Global Privacy Control and a consent switch:
 *   window.leadflow = window.leadflow || []; leadflow.push(['consent', false]);
 * Add data-consent="required" to the script tag to wait for ['consent', true].
 * Never throws into the host page; sends text/plain so no CORS preflight is needed. */
(function (w, d, n) {
  try {
    var s = d.currentScript;
    if (!s) {
      var all = d.getElementsByTagName('script');
      for (var i = all.length - 1; i >= 0; i--) if (/\/t\.js(\?|$)/.test(all[i].src || '')) { s = all[i]; break; }
    }
    if (!s || !s.src) return;
    var base = s.src.replace(/\/t\.js(\?.*)?$/, '');
    var VID = '_lfvid', OK = '_lfconsent';
    var required = s.getAttribute('data-consent') === 'required';
    var queued = w.leadflow && w.leadflow.length ? w.leadflow : [];
    var last = null, pending = null;

    function getCookie(k) {
      var m = d.cookie.match(new RegExp('(?:^|; )' + k + '=([^;]*)'));
      return m ? decodeURIComponent(m[1]) : null;
    }
    function setCookie(k, v, days) {
      d.cookie = k + '=' + encodeURIComponent(v) + '; path=/; max-age=' + days * 86400 + '; SameSite=Lax' +
        (w.location.protocol === 'https:' ? '; Secure' : '');
    }
    var consent = getCookie(OK);
    function dnt() {
      return n.doNotTrack === '1' || n.doNotTrack === 'yes' || w.doNotTrack === '1' || n.msDoNotTrack === '1' || n.globalPrivacyControl === true;
    }
    function allowed() {
      return !dnt() && (consent === '1' || (consent === null && !required));
    }
    function newId() {
      var a = new Uint8Array(16), c = w.crypto, out = '';
      if (c && c.getRandomValues) c.getRandomValues(a);
      else for (var i = 0; i < 16; i++) a[i] = (Math.random() * 256) | 0;
      for (var j = 0; j < 16; j++) out += ('0' + a[j].toString(16)).slice(-2);
      return out;
    }
    function visitorId() {
      var v = getCookie(VID);
      if (!v || !/^[A-Za-z0-9_-]{4,64}$/.test(v)) v = newId();
      setCookie(VID, v, 730);
      return v;
    }
    function send(body) {
      var url = base + '/t/collect', data = JSON.stringify(body);
      try {
        if (w.fetch) {
          w.fetch(url, { method: 'POST', body: data, headers: { 'Content-Type': 'text/plain' }, keepalive: true, credentials: 'omit', mode: 'cors' })['catch'](function () {});
        } else if (n.sendBeacon) n.sendBeacon(url, data);
      } catch (e) {}
    }
    // A tracked e-mail link carries a signed lf_id: taken off the visible URL, sent once.
    function takeIdentity() {
      var l = w.location;
      if (!/[?&]lf_id=/.test(l.search) || !w.URLSearchParams) return null;
      var p = new URLSearchParams(l.search), t = p.get('lf_id');
      p['delete']('lf_id');
      try {
        var qs = p.toString();
        w.history.replaceState(w.history.state, '', l.pathname + (qs ? '?' + qs : '') + l.hash);
      } catch (e) {}
      return t;
    }
    function page() {
      if (!allowed()) return;
      var href = w.location.href;
      if (href === last) return;
      last = href;
      var body = { type: 'page_view', visitorId: visitorId(), url: href, title: d.title, referrer: d.referrer || null };
      if (pending) { body.token = pending; pending = null; }
      send(body);
    }
    function command(a) {
      if (!a || !a.length) return;
      if (a[0] === 'consent') {
        consent = a[1] ? '1' : '0';
        setCookie(OK, consent, 365);
        if (a[1]) page();
        else d.cookie = VID + '=; path=/; max-age=0';
      } else if (a[0] === 'page') {
        last = null;
        page();
      }
    }
    pending = takeIdentity();
    for (var q = 0; q < queued.length; q++) command(queued[q]);
    w.leadflow = { push: function (a) { try { command(a); } catch (e) {} } };
    page();
    // Single-page apps: every history navigation is a page view.
    var push = w.history && w.history.pushState;
    if (push) {
      w.history.pushState = function () {
        var r = push.apply(this, arguments);
        try { page(); } catch (e) {}
        return r;
      };
      w.addEventListener('popstate', function () { try { page(); } catch (e) {} });
    }
  } catch (e) {}
})(window, document, navigator);
