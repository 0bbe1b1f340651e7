import { projectRequests, type Selector } from "./messages.js";

// Who consumes what. Every service declares the whole table when it connects, so a request sent
// before its consumer ever started waits in a durable queue instead of being dropped.

export const services = ["state-tracker", "scanner", "computer", "validator", "completion"] as const;
export type ServiceName = (typeof services)[number];

export const consumes: Record<ServiceName, readonly Selector[]> = {
  "state-tracker": [
    "group.register.request",
    "project.scan.started",
    "project.scan.succeeded",
    "project.scan.failed",
    "project.compute.started",
    "project.compute.succeeded",
    "project.compute.failed",
    "project.validate.started",
    "project.validate.succeeded",
    "project.validate.failed",
    "group.complete.started",
    "group.complete.succeeded",
    "group.complete.failed",
    ...projectRequests,
  ],
  scanner: ["project.scan.request"],
  computer: ["project.compute.request"],
  validator: ["project.validate.request"],
  completion: ["group.complete.request"],
};

/** Durable queue of one (service, selector) pair: copies of a service compete on it. */
export function queueName(exchange: string, service: string, selector: string): string {
  return `${exchange}.${service}.${selector}`;
}

export function deadLetterExchange(exchange: string): string {
  return `${exchange}.dead`;
}

export function deadLetterQueue(exchange: string): string {
  return `${exchange}.dead-letters`;
}
