// The public surface of @drover/shared: every export named, none by `export *`.

export { connectBus, deleteTopology, retryQueueName, PARK_QUEUE_HEADER, PARK_REASON_HEADER, STOP_GRACE_MS, type Bus, type BusOptions, type Delivery, type Handler } from "./bus.js";
export { capError, capIssues, capList, capStrings, capText, HISTORY_HIGH, HISTORY_KEEP, MAX_LIST, MAX_MESSAGE_BYTES, MAX_TEXT } from "./bounds.js";
export { EnvSchema, loadConfig, redactUrl, type Config } from "./config.js";
export { redactFields, redactSecrets } from "./redact.js";
export { GroupDocSchema, HistoryDocSchema, HistoryEntrySchema, ProjectDocSchema, describeMove, groupId, historyPrefix, joinHistory, projectId, trimHistory, type GroupDoc, type HistoryDoc, type HistoryEntry, type PhaseRecord, type ProjectDoc } from "./documents.js";
export { copyHistory, fullHistory, readHistoryDocs, removeHistory, storeHistory, withFullHistory } from "./history.js";
export { DroverError, isDroverError, toErrorDetail, type ErrorDetail, type ErrorKind } from "./errors.js";
export { copyAtomic, isTemporaryName, replaceDir, sweepTemporaries, tempPathFor, writeFileAtomic, writeJsonAtomic } from "./fsutil.js";
export { readGroupFile, resolveFiles, splitCsvLine, groupNameFromFile, type GroupProject, type GroupSpec } from "./group/group-file.js";
export { globFiles } from "./group/glob.js";
export {
  activeState,
  allowedMoves,
  canMove,
  doneState,
  failedState,
  groupStates,
  isActive,
  isFailed,
  lifecycleDiagram,
  needsOperator,
  nextPhase,
  phaseOf,
  phases,
  projectStates,
  type GroupState,
  type Phase,
  type ProjectState,
} from "./lifecycle.js";
export { createLogger, silentLogger, type Logger } from "./log.js";
export { ConfigOverridesSchema, Name as NameSchema, PhaseSchema, ProjectStateSchema, type ConfigOverrides } from "./schemas.js";
export { answeredRequests, catalogue, createMessage, isSelector, parseMessage, projectRequests, selectors, type ProjectRequest, type AnsweredRequest, type Body, type BodyInput, type Message, type MessageFields, type Selector } from "./messages.js";
export { assertAllowed, assertUnder, isWithin, realPathOf } from "./paths.js";
export { writeDemoGroup, demoSeries, type SampleGroup } from "./sample/demo-group.js";
export { writeSeries, type SeriesSpec } from "./sample/cmip-like.js";
export { ProjectConfigSchema, type Issue, type ProjectConfig, type ScanSummary, type ValidationSummary, type ComputeSummary } from "./schemas.js";
export { boot, stopOnSignals, type Service } from "./service/boot.js";
export { boundedOutput, checkRequestPaths, ORPHAN_AGE_MS, startPhaseWorker, sweepWorkDir } from "./service/phase-worker.js";
export { createMemoryStore, listGroups, listProjects, projectPages, projectsInState, openCouchStore, readGroup, readProject, readProjects, removeDoc, updateDoc, ConflictError, type Doc, type DocStore, type TaskStart } from "./store.js";
export { runTask, TaskError } from "./tasks/run-task.js";
export { tasks, type TaskInputs, type TaskName, type TaskOutputs } from "./tasks/tasks.js";
export { count } from "./words.js";
export { describeProgress, groupProgress, type GroupProgress } from "./progress.js";
export { consumes, deadLetterQueue, queueName, services, type ServiceName } from "./topology.js";
export { askTracker, type Answer } from "./tracker/ask.js";
export { askEach, retryPick, selectProjects, type ProjectAnswer } from "./tracker/actions.js";
export { historyLines, mergeByTime, onlyPhase, parseLogFile, projectLogDir, readLogFiles, type LogLine } from "./operator/log-lines.js";
export { phaseDurations, type PhaseDuration } from "./operator/phase-durations.js";
export { planRegistration, projectChanged, registeredGroup, retire, type RegistrationPlan } from "./tracker/registration.js";
export { assessGroup, blockingReason, COMPLETION_BATCH, completionRequest, groupMember, type GroupMember, moveGroup, newGroup, publishedOnce, startGroupOver, onCompletionQueued, onProjectCompleted, onProjectCompletionFailed } from "./tracker/group-rules.js";
export { chunkLaunch, dropLaunch, readLaunch, storeLaunch, type LaunchChunk, type LaunchProject, type StoredLaunch } from "./tracker/launch-store.js";
export {
  dispatch,
  move,
  newProject,
  onAccept,
  onComputed,
  onFailed,
  onFaultlist,
  onRegistered,
  registeredAnew,
  onRetry,
  onUnfaultlist,
  onAdvance,
  stillExpected,
  expireLost,
  onParked,
  onReject,
  onQuarantine,
  onRelease,
  transferred,
  onScanned,
  onStarted,
  onValidated,
  type RuleContext,
  type TrackerSettings,
} from "./tracker/project-rules.js";
export { scanProject, inventoryPath, type ScanResult } from "./scan/scan-project.js";
export type { Inventory, ProductVariable, FileEntry } from "./scan/inventory.js";
export { writeZarrProduct, zarrProductPath, ZARR_REVISION } from "./compute/write-zarr.js";
export { validateProduct, type ValidationResult } from "./validate/validate-project.js";
export { judge, WARNING_DATA_ERRORS, type DataReport, type IgnoreTemplate, type MetadataReport } from "./validate/report.js";
export { checkCompletionPaths, publishGroup, PUBLISH_JOURNAL, SUPERSEDED_DIR, supersedeEarlier } from "./complete/publish.js";
export { kerchunkJson } from "./refs/serialise.js";
export { buildReferences, refsProductPath, rewriteUrls, writeRefsProduct, REFS_REVISION, type RefsOptions } from "./refs/write-refs.js";
export { writeParquetRefs, openParquetRefs } from "./refs/parquet.js";
export type { RefsDataset } from "./refs/serialise.js";
export { RefsNotExpressibleError } from "./refs/combine.js";
export type { KerchunkV1 } from "./refs/types.js";
export { readLayout } from "./formats/read-layout.js";
export type { FileLayout, VariableLayout } from "./formats/layout.js";
export { computeProduct } from "./tasks/tasks.js";
export { DEAD_LETTER_KEEP_BYTES, DeadLetterDocSchema, deadLetterDoc, listDeadLetters, type DeadLetterDoc, type ParkedMessage } from "./tracker/dead-letters.js";
