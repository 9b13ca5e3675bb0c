import type { Command } from 'commander';

/** Each command adds itself to the program and reports its exit code. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const COMMANDS: RegisterCommand[] = [];
