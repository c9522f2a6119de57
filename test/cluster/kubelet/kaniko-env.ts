/** Set by the test kubelet for a Kaniko container: seconds to wait before building (fault injection). */
export const BUILD_DELAY_ENV = 'STAPEL_TEST_KUBELET_BUILD_DELAY_SECONDS';

/** Set by the test kubelet for a Kaniko container: the digest to report instead of the pushed one (fault injection). */
export const REPORT_DIGEST_ENV = 'STAPEL_TEST_KUBELET_REPORT_DIGEST';

/** Set by the test kubelet for a Kaniko container: push somewhere else than the destinations (fault injection). */
export const DROP_PUSH_ENV = 'STAPEL_TEST_KUBELET_DROP_PUSH';
