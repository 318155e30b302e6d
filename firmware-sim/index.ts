// Public surface of firmware-sim: simulated scanners and readers on serial lines, and the simulated supply chain.
export { SimBarcodeScanner, type ScanAnswer, type ScanQuirks, type SimBarcodeScannerOptions } from './barcode-scanner.js';
export { SimRfidReader, epcHex, type SimRfidReaderOptions } from './rfid-reader.js';
export { openPtyPair, type PtyPair, type PtyPairOptions } from './pty-pair.js';
export { FrameCounter, noiseBytes, oversizeGarbage, seededRandom, truncateFrame } from './frame-quirks.js';
export * from './gs1-labels.js';
export {
  startSupplyChain,
  type LaunchedGateway,
  type SimSite,
  type SimStation,
  type SiteRole,
  type SupplyChain,
  type SupplyChainOptions,
  type SupplyChainStats,
} from './supply-chain.js';
export { gatewayProcessLauncher, type GatewayProcessOptions } from './gateway-process.js';
