// A jest reporter that lists every skipped test by its full name after the run, so a skip and its
// reason (carried in the test's or its group's title) stay visible in a summary of many projects.
'use strict';
const { relative } = require('node:path');

class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          skipped.push(`  ${relative(process.cwd(), file.testFilePath)}: ${test.fullName}`);
        }
      }
    }
    if (skipped.length) process.stderr.write(`skipped (${skipped.length}):\n${skipped.join('\n')}\n`);
  }
}

module.exports = SkippedReporter;
