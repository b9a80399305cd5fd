// tifa serve's page: check as you type. The page works without this
// script (the form posts to the server); this only fetches the results
// part again, 500 ms after the last key, and puts it in place.
"use strict";
(function () {
  var form = document.getElementById("input");
  var text = document.getElementById("text");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  if (!form || !text || !results || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = 0;
  function check() {
    var mine = ++asked;
    var body = new URLSearchParams();
    body.set("text", text.value);
    body.set("fragment", "true");
    var key = form.querySelector("input[name=apiKey]");
    if (key) {
      body.set("apiKey", key.value);
    }
    status.textContent = "检查中…";
    fetch("/", { method: "POST", body: body })
      .then(function (r) {
        return r.text().then(function (html) {
          return { ok: r.ok, status: r.status, html: html };
        });
      })
      .then(function (r) {
        if (mine !== asked) {
          return;
        }
        if (r.status === 503 || r.status === 504) {
          status.textContent = "服务器繁忙，稍后再试";
          return;
        }
        // Made on the server, every text in it escaped.
        results.innerHTML = r.html;
        status.textContent = "";
      })
      .catch(function () {
        if (mine === asked) {
          status.textContent = "无法连接服务器";
        }
      });
  }
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
})();
