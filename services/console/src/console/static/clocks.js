/* Report clocks counting down to their deadline every second (red once it has passed). */
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-deadline]");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    clocks.forEach(function (c) {
      var left = Math.floor((new Date(c.getAttribute("data-deadline")).getTime() - Date.now()) / 1000);
      var out = c.querySelector(".countdown");
      if (left <= 0) { out.textContent = "已超时"; c.classList.add("clock-red"); return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      out.textContent = "剩余 " + h + ":" + pad(m) + ":" + pad(s);
      if (left < 1800) c.classList.add("clock-yellow");
    });
  }
  tick();
  setInterval(tick, 1000);
})();
