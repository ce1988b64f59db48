import { ValidationError } from '../../../lib/errors';

/**
 * Input the trainer cannot use: an unreadable file (with its line), a missing or non-binary label, no usable
 * feature. The message is Chinese and names what is wrong. A validation error, so a route that trains on uploaded
 * data answers 400 with it, and the CLI prints it and exits 2.
 */
export class TrainingInputError extends ValidationError {}
