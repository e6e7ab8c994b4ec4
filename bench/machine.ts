import { availableParallelism, cpus, totalmem } from "node:os";

/** The machine a result was measured on: absolute times only compare between runs on the same one. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** One line for a report: "2 CPUs (model), 23.5 GiB, Node v24.21.0, linux-x64". */
export function describeMachine(machine: MachineInfo): string {
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`;
}
