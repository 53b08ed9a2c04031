export { AlertFileError } from './alertFileError';
export type { AlertCutouts, AlertFileResult, AlertRecord } from './alertRecord';
export { readAlertFile } from './readAlertFile';
export { detectSurvey } from './surveyDetect';
export { repairSchema, type RepairKind, type SchemaRepair } from './schemaRepair';
export { SUPPORTED_CODECS } from './blockCodecs';
