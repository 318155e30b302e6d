// CBV 2.0 vocabulary words as the EPCIS 2.0 JSON-LD context defines them (bare word → Web URI).
//
// Source: epcis-context.jsonld of gs1/EPCIS@2b888befbc071e1c2d388e027b30149b3f51dcef, the scoped
// contexts of bizStep, disposition, persistentDisposition, bizTransactionList/type,
// sourceList|destinationList/type, errorDeclaration/reason and sensorReport type|exception|component.
// The JSON Schema accepts exactly these bare words (CBV 2.0 vocabularies) or a URI that is not a CBV URN.

export const CBV_WEB_URI = 'https://ref.gs1.org/cbv/';
/** The `gs1` prefix of the EPCIS 2.0.0 context (CBV 2.0); CBV 2.1 moved it to https://ref.gs1.org/voc/. */
export const GS1_VOC_URI = 'https://gs1.org/voc/';

/** CBV 2.0 business steps. */
export const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning',
  'creating_class_instance', 'cycle_counting', 'decommissioning', 'departing', 'destroying',
  'disassembling', 'dispensing', 'encoding', 'entering_exiting', 'holding', 'inspecting', 'installing',
  'killing', 'loading', 'other', 'packing', 'picking', 'receiving', 'removing', 'repackaging',
  'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling', 'sensor_reporting', 'shipping',
  'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting', 'unloading', 'unpacking',
  'void_shipping',
] as const;
export type BizStep = (typeof BIZ_STEPS)[number];

/** CBV 2.0 dispositions. There is no `decommissioned`: a decommissioned EPC is `inactive`. */
export const DISPOSITIONS = [
  'active', 'available', 'completeness_verified', 'completeness_inferred', 'conformant',
  'container_closed', 'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded',
  'expired', 'in_progress', 'in_transit', 'inactive', 'mismatch_instance', 'mismatch_class',
  'mismatch_quantity', 'needs_replacement', 'no_pedigree_match', 'non_conformant', 'non_sellable_other',
  'partially_dispensed', 'recalled', 'reserved', 'retail_sold', 'returned', 'sellable_accessible',
  'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** CBV 2.0 business transaction types. */
export const BIZ_TRANSACTION_TYPES = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd',
  'testres', 'upevt',
] as const;
export type BizTransactionType = (typeof BIZ_TRANSACTION_TYPES)[number];

/** CBV 2.0 source/destination types. */
export const SOURCE_DEST_TYPES = ['owning_party', 'possessing_party', 'location'] as const;
export type SourceDestType = (typeof SOURCE_DEST_TYPES)[number];

/** CBV 2.0 error reasons. */
export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;

/** EPCIS 2.0 sensor measurement types (gs1: Web vocabulary). */
export const MEASUREMENT_TYPES = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude',
  'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration',
  'AngularMomentum', 'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count',
  'Density', 'Dimensionless', 'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity',
  'ElectricCharge', 'ElectricCurrent', 'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy',
  'Exposure', 'Force', 'Frequency', 'Illuminance', 'Inductance', 'Irradiance', 'KinematicViscosity',
  'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux',
  'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass', 'MassConcentration', 'MassFlowRate',
  'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume',
  'Power', 'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance',
  'Resistivity', 'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension',
  'Temperature', 'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction',
  'VolumetricFlux', 'Wavenumber',
] as const;

export const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'] as const;

export const SENSOR_COMPONENTS = [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle',
  'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
] as const;

/** A vocabulary: its bare words and the Web URI prefix each word is appended to. */
export interface Vocabulary {
  readonly words: ReadonlySet<string>;
  readonly uriPrefix: string;
  /** The CBV 1.x URN prefix of the same vocabulary (EPCIS 1.2 XML), if there is one. */
  readonly urnPrefix?: string;
}

function vocabulary(words: readonly string[], uriPrefix: string, urnPrefix?: string): Vocabulary {
  return { words: new Set(words), uriPrefix, ...(urnPrefix ? { urnPrefix } : {}) };
}

export const BIZ_STEP_VOCABULARY = vocabulary(BIZ_STEPS, `${CBV_WEB_URI}BizStep-`, 'urn:epcglobal:cbv:bizstep:');
export const DISPOSITION_VOCABULARY = vocabulary(DISPOSITIONS, `${CBV_WEB_URI}Disp-`, 'urn:epcglobal:cbv:disp:');
export const BIZ_TRANSACTION_TYPE_VOCABULARY = vocabulary(
  BIZ_TRANSACTION_TYPES,
  `${CBV_WEB_URI}BTT-`,
  'urn:epcglobal:cbv:btt:',
);
export const SOURCE_DEST_TYPE_VOCABULARY = vocabulary(SOURCE_DEST_TYPES, `${CBV_WEB_URI}SDT-`, 'urn:epcglobal:cbv:sdt:');
export const ERROR_REASON_VOCABULARY = vocabulary(ERROR_REASONS, `${CBV_WEB_URI}ER-`, 'urn:epcglobal:cbv:er:');
export const MEASUREMENT_TYPE_VOCABULARY = vocabulary(MEASUREMENT_TYPES, GS1_VOC_URI);
export const SENSOR_ALERT_VOCABULARY = vocabulary(SENSOR_ALERT_TYPES, GS1_VOC_URI);
export const COMPONENT_VOCABULARY = vocabulary(SENSOR_COMPONENTS, `${CBV_WEB_URI}Comp-`);
