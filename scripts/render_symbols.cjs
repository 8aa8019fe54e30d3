// Pre-render the MIL-STD-2525C symbols the exports (CZML billboards) embed, with milsymbol,
// as a JSON map from symbol key to SVG text. Run by scripts/vendor_frontend.sh.
const ms = require("milsymbol").default;
// affiliation letter: F friend, H hostile, U unknown; function codes from MIL-STD-2525C
const functions = {
  aircraft: "APMF--", uav: "APMFQ-", jammer: "APMFJ-", cruise_missile: "APWMCM",
  anti_radiation_missile: "APWM--", interceptor: "APWMSA", air_defence_unit: "GPUCD-",
};
const out = {};
for (const [cat, fn] of Object.entries(functions)) {
  for (const aff of ["F", "H", "U"]) {
    const sidc = ("S" + aff + fn).padEnd(15, "-");
    const sym = new ms.Symbol(sidc, { size: 24 });
    out[`${aff}:${cat}`] = { sidc, svg: sym.asSVG(), anchor: sym.getAnchor() };
  }
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
