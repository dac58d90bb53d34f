// Renders a cucumber JSON report with cucumber-html-reporter and checks the
// page shows every feature's name: `node render.js REPORT.json OUT.html`.
const fs = require('fs');
const reporter = require('cucumber-html-reporter');

const [json, html] = process.argv.slice(2);
const features = JSON.parse(fs.readFileSync(json, 'utf8'));
reporter.generate({
  theme: 'bootstrap',
  jsonFile: json,
  output: html,
  reportSuiteAsScenarios: true,
  launchReport: false,
  metadata: {},
});
const page = fs.readFileSync(html, 'utf8');
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const missing = features.filter((f) => !page.includes(f.name) && !page.includes(escape(f.name)));
if (missing.length > 0) {
  console.error(`the HTML report does not show ${missing.length} feature(s): ${missing.map((f) => f.name).join(', ')}`);
  process.exit(1);
}
console.log(`${html}: ${features.length} features rendered`);
