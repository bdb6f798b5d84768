/* global module */
// Stands in for an AWS SDK client package that a responder's playbook never calls (lib/sdk-bundling.ts): the bundle
// is smaller and loads faster. Its named imports are undefined; aws-clients.ts refuses to build such a client with an
// error that says why. CommonJS, so that the bundler accepts every named import of the package it replaces.
module.exports = {};
