// Jest gives every spec file its own module registry but one shared node:http per worker. A nock
// left active by one file would intercept (and 501) the next file's requests, so each file's nock
// is cleaned and unhooked when the file ends.
import nock from 'nock';

afterAll(() => {
  nock.cleanAll();
  nock.restore();
});
