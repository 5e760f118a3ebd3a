// The county picker of the comparison by prefecture (compare_region.html, compare_item.html):
// keeps the counties picked in the address's fragment (#c=610117,610122), so that a pick
// survives a reload and a shared link, and travels with the links to the prefecture's other
// pages. The hiding itself is CSS (the prefecture's pick.css); without this script a pick
// lasts only on its page.
const boxes = [...document.querySelectorAll(".pick input[type=checkbox]")];
const carried = [...document.querySelectorAll("a[data-carry-pick]")];

function update() {
  const codes = boxes.filter((box) => box.checked).map((box) => box.value);
  const fragment = codes.length ? `#c=${codes.join(",")}` : "";
  history.replaceState(null, "", location.pathname + location.search + fragment);
  for (const link of carried) {
    link.setAttribute("href", link.getAttribute("href").split("#")[0] + fragment);
  }
}

const asked = /^#c=([0-9,]+)$/.exec(location.hash);
if (asked) {
  const wanted = new Set(asked[1].split(","));
  for (const box of boxes) box.checked = wanted.has(box.value);
}
for (const box of boxes) box.addEventListener("change", update);
update();
