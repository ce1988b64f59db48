import { listMyVerifications, type ListMyVerificationsResult, type SubmitVerificationBody } from './generated'
import type { LocalFile } from './request'

export type VerificationForm = SubmitVerificationBody
export type ApplicantRole = VerificationForm['applicantRole']

/** The licence photo picked on the device, before upload. */
export interface LicenceImage extends LocalFile {
  size: number
}

/** The user's verification requests, newest first. */
export async function listMyVerificationsNewestFirst(): Promise<ListMyVerificationsResult> {
  const list = await listMyVerifications()
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}
