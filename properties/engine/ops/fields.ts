/** The fields several operations' steps share. */
import { z } from "zod";

export const objName = z.string().regex(/^o[0-9]+$/, 'an object name like "o1"');
export const cpu = z.number().int();
export const hexAddr = z
  .string()
  .regex(/^0x[0-9a-fA-F]{1,14}$/, 'a hexadecimal address like "0x1000"');
