/** Set by the test kubelet for a Kaniko container: seconds to wait before building (fault injection). */
export const BUILD_DELAY_ENV = 'STAPEL_TEST_KUBELET_BUILD_DELAY_SECONDS';
