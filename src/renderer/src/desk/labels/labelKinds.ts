/**
 * What an astronomer can say about a candidate: the label domain of src/shared/labels.ts (one
 * table of sub-classes and the class each implies, shared with main and the simulator).
 */
export type { HumanLabelValue as HumanLabel, SubClass } from '../../../../shared/labels';
export { SUBCLASSES, subclassById } from '../../../../shared/labels';
