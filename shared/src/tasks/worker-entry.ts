import { closeOpenSources } from "../formats/byte-source.js";
import { serveTasks } from "./task-thread.js";
import { tasks } from "./tasks.js";

// A TaskPool's thread: runs the phases' tasks one after another, so h5wasm's CPU work never
// blocks a service's event loop (heartbeats, acknowledgements, other messages). After each task
// it closes any file a reader left open: the thread outlives the task, and file descriptors
// belong to the whole process.

serveTasks(tasks, closeOpenSources);
