/** The processor was built without a port a firing needs: retrying cannot help, redeploying can. */
export class ProcessorWiringError extends Error {
  override readonly name = 'ProcessorWiringError';
}
