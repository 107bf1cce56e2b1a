/**
 * Provider HTTP in tests goes to nock only: no request reaches the network, and every test starts
 * without the interceptors, pending replies or allowed hosts of the test before. Unhooking nock
 * when the file ends is test/setup-nock.ts's job, for every file.
 */
import nock from 'nock';

export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
    // A test may have let one host through, e.g. a closed local port to see a connect failure.
    nock.disableNetConnect();
  });
}
