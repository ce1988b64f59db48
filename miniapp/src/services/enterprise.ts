import type { TMyEnterprise, TVerification } from '@xyd/shared'
import { request, upload } from './request'

export type ApplicantRole = 'owner' | 'agent'

export interface VerificationForm {
  uscc: string
  enterpriseName: string
  legalRepName: string
  legalRepIdNumber: string
  applicantRole: ApplicantRole
}

export interface LicenceImage {
  path: string
  size: number
  /** Original file name where the platform knows it (the browser); WeChat temp files have none. */
  name?: string
}

/** Enterprises the signed-in user is a member of, with their members. */
export function fetchMyEnterprises(): Promise<TMyEnterprise[]> {
  return request<TMyEnterprise[]>({ url: '/api/v1/me/enterprises' })
}

/** The user's verification requests, newest first. */
export async function fetchMyVerifications(): Promise<TVerification[]> {
  const list = await request<TVerification[]>({ url: '/api/v1/verifications/mine' })
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

/**
 * Submits a binding request: the form fields travel as multipart fields beside the licence photo. `idempotencyKey`
 * repeats an earlier attempt that got no answer.
 */
export function submitVerification(form: VerificationForm, licence: LicenceImage, idempotencyKey?: string): Promise<TVerification> {
  return upload<TVerification>({
    url: '/api/v1/verifications',
    filePath: licence.path,
    name: 'licence',
    fileName: licence.name,
    formData: { ...form },
    idempotencyKey,
  })
}
