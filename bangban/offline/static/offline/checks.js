/* The client checks the server makes (bangban/clients/identity.py), ported for the offline
   desk so a number typed with no connection is judged as the desk would judge it, in the
   same words: 居民身份证号码 (GB 11643-1999: province code, birth date, ISO 7064 MOD 11-2
   check character) and the mainland mobile number rule. bangban/offline/tests compare the
   two on the same numbers. */
(function (root) {
  "use strict";

  var PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
    "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
    "63", "64", "65", "71", "81", "82", "83"];
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK_MAP = "10X98765432";

  // fold full-width characters (a Chinese input method) and drop whitespace, as _clean does
  function clean(value) {
    return String(value == null ? "" : value).normalize("NFKC").replace(/\s+/g, "");
  }

  function checkChar(first17) {
    var total = 0;
    for (var i = 0; i < 17; i++) total += Number(first17[i]) * WEIGHTS[i];
    return CHECK_MAP[total % 11];
  }

  /* {number} when valid, else {error}: the server's sentence. */
  function residentId(value, today) {
    var number = clean(value).toUpperCase();
    if (!number) return { error: "请填写身份证号码" };
    if (number.length === 15 && /^[0-9]{15}$/.test(number)) {
      return { error: "这是15位旧身份证号码，已停止使用，请提供18位居民身份证号码" };
    }
    if (number.length !== 18) return { error: "身份证号码应为18位，当前为" + number.length + "位" };
    if (!/^[0-9]{17}[0-9X]$/.test(number)) {
      return { error: "身份证号码只能由数字组成，最后一位可以是数字或X" };
    }
    if (PROVINCES.indexOf(number.slice(0, 2)) < 0) {
      return { error: "行政区划代码无效：身份证号码前两位不是有效的省份代码" };
    }
    var y = Number(number.slice(6, 10)), m = Number(number.slice(10, 12)), d = Number(number.slice(12, 14));
    var born = new Date(Date.UTC(y, m - 1, d));
    if (m < 1 || m > 12 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
      return { error: "出生日期无效：身份证号码第7至14位不是真实的日期" };
    }
    if (y < 1900) return { error: "出生日期无效：出生年份早于1900年" };
    var now = today || new Date();
    if (born > new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()))) {
      return { error: "出生日期无效：出生日期晚于今天" };
    }
    if (checkChar(number.slice(0, 17)) !== number[17]) {
      return { error: "身份证号码校验位错误，请核对最后一位（也可能是其他位填错）" };
    }
    return { number: number };
  }

  function mobile(value) {
    var text = clean(value).replace(/[\s-]/g, "");
    if (!text) return { error: "请填写手机号码" };
    if (text.indexOf("+86") === 0) text = text.slice(3);
    else if (text.indexOf("0086") === 0) text = text.slice(4);
    else if (text.indexOf("86") === 0 && text.length === 13) text = text.slice(2);
    if (!/^1[3-9][0-9]{9}$/.test(text)) return { error: "手机号码格式不正确，应为11位且以1开头" };
    return { number: text };
  }

  root.BangbanChecks = { residentId: residentId, mobile: mobile };
})(self);
