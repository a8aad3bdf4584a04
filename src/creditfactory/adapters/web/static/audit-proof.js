// Checks audit inclusion proofs in the browser (RFC 9162 §2.1.3.2; the log's leaf and node
// hashes are RFC 6962's: SHA-256 of 0x00 || leaf, of 0x01 || left || right). The page gives each
// entry its leaf (canonical JSON), index, the tree size, the proof path and the signed root
// (data-* attributes on a [data-proof] row); nothing is fetched, and SHA-256 is computed here,
// not by crypto.subtle, which browsers withhold from plain-http intranet pages.
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 of a Uint8Array (FIPS 180-4), as a Uint8Array of 32 bytes.
  function sha256(bytes) {
    var bitLength = bytes.length * 8;
    var padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
    view.setUint32(padded.length - 4, bitLength >>> 0);
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var w = new Uint32Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var t = 0; t < 16; t++) { w[t] = view.getUint32(off + 4 * t); }
      for (t = 16; t < 64; t++) {
        var s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        var s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[t] + w[t]) >>> 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) { outView.setUint32(4 * i, h[i]); }
    return out;
  }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }

  function unhex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(text.substr(2 * i, 2), 16); }
    return out;
  }

  function prefixed(prefix, parts) {
    var length = 1;
    parts.forEach(function (p) { length += p.length; });
    var out = new Uint8Array(length);
    out[0] = prefix;
    var at = 1;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  // True iff `path` (hex hashes) leads from the leaf's hash at `index` to `root` in a tree of
  // `size` leaves — the algorithm of audit/merkle.py's verify_inclusion.
  function verifyInclusion(leafText, index, size, path, root) {
    if (!(index >= 0 && index < size)) { return false; }
    var r = sha256(prefixed(0, [new TextEncoder().encode(leafText)]));
    var fn = index, sn = size - 1;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return false; }
      var p = unhex(path[i]);
      if ((fn & 1) === 1 || fn === sn) {
        r = sha256(prefixed(1, [p, r]));
        while ((fn & 1) === 0 && fn !== 0) { fn >>>= 1; sn >>>= 1; }
      } else {
        r = sha256(prefixed(1, [r, p]));
      }
      fn >>>= 1; sn >>>= 1;
    }
    return sn === 0 && hex(r) === root;
  }

  function check(row) {
    var path = row.dataset.path ? row.dataset.path.split(",") : [];
    var ok = verifyInclusion(row.dataset.leaf, Number(row.dataset.index), Number(row.dataset.size),
                             path, row.dataset.root);
    var out = row.querySelector("[data-proof-result]");
    out.textContent = ok ? out.dataset.ok : out.dataset.bad;
    out.className = ok ? "proof-ok" : "proof-bad";
    return ok;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-verify]");
    if (!button) { return; }
    var rows = button.dataset.verify === "all"
      ? document.querySelectorAll("[data-proof]")
      : [button.closest("[data-proof]")];
    Array.prototype.forEach.call(rows, check);
  });

  window.creditfactoryAudit = { sha256: function (text) { return hex(sha256(new TextEncoder().encode(text))); },
                                verifyInclusion: verifyInclusion };
}());
