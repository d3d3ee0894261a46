// Package ecrtest is a wire-level Amazon ECR replication simulator, in the
// spirit of net/http/httptest.
//
// A [Server] speaks the awsJson1_1 protocol that the real
// [github.com/aws/aws-sdk-go-v2/service/ecr] client uses: every request is a
// POST to "/" with an X-Amz-Target header of
// "AmazonEC2ContainerRegistry_V20150921.<Operation>" and a JSON body. The
// server implements the operations needed to exercise image replication:
// DescribeImageReplicationStatus, DescribeRegistry,
// PutReplicationConfiguration, PutImage, BatchGetImage, DescribeImages and
// CreateRepository. Any other operation is answered with
// UnknownOperationException. Errors are sent the way ECR sends them (HTTP 400
// or 500, an X-Amzn-ErrorType header and a {"__type", "message"} body), so the
// SDK decodes them into its own types such as
// *types.RepositoryNotFoundException. The answers are checked against a
// corpus of ECR's answers from the public record, testdata/wire in the
// module's repository, which names the source of each.
//
// # Running a server
//
// [NewServer] starts the simulator on a loopback address (an
// [net/http/httptest.Server]); [NewInMemoryServer] runs it with no sockets at
// all, through an [net/http.RoundTripper] that calls the handler directly.
// The in-memory form lets a whole wait run inside a testing/synctest bubble in
// virtual time: create the server inside the bubble so that push times and
// latency faults use the bubble's clock. [Server.Client] returns a ready
// *ecr.Client for either form.
//
// # Replication
//
// [Server.PushImage] (or the PutImage operation) creates an image and starts
// one replication status per destination of every replication rule that
// matches the repository (a rule without filters matches every repository; a
// PREFIX_MATCH filter matches names with that prefix; destinations are
// de-duplicated). Each destination follows a [Plan]: a status starts
// IN_PROGRESS and reaches the plan's Outcome after a duration (measured with
// time.Now, so virtual under synctest) or after a number of polls, and may be
// hidden from the list for the first polls.
//
// Every DescribeImageReplicationStatus call that finds an image first
// increments that image's poll counter, then computes the statuses.
//
// The package default plan, used for destinations that PushImage does not
// script and for images created through the wire PutImage operation (unless
// Options.DefaultPlan is set), is
//
//	Plan{Outcome: types.ReplicationStatusComplete, AfterPolls: 2}
//
// that is, the first poll of an image reports every destination IN_PROGRESS
// and the second and later polls report COMPLETE. [DefaultPlan] returns it.
//
// # Faults, call log and authentication
//
// [Server.InjectFault] queues faults per operation (throttling, 500, 503 with
// an HTML body, truncated body, invalid JSON, latency, dropped connection).
// [Server.Calls] and [Server.CallCount] expose a log of every request the
// server received, including faulted and rejected ones. With
// Options.RequireAuth every request must carry a valid SigV4 signature made
// with [AccessKeyID] and [SecretAccessKey] for service "ecr" and the server's
// region, within 15 minutes of the server's clock (time.Now); the signature
// is checked by re-signing the request with the SDK's own signer. The
// answers, all HTTP 400 as ECR sends them:
//
//	no Authorization header        MissingAuthenticationTokenException  Missing Authentication Token
//	unknown access key             UnrecognizedClientException          The security token included in the request is invalid.
//	signed over 15 minutes ago     InvalidSignatureException            Signature expired: T is now earlier than NOW-15m (NOW - 15 min.)
//	signed over 15 minutes ahead   InvalidSignatureException            Signature not yet current: T is still later than NOW+15m (NOW + 15 min.)
//	scoped to another region       InvalidSignatureException            Credential should be scoped to a valid region, not 'R'.
//	wrong secret, altered request  InvalidSignatureException            The request signature we calculated does not match ...
//	malformed Authorization        IncompleteSignatureException
//
// # Requests
//
// A request must be a POST with Content-Type application/x-amz-json-1.1; any
// other media type is answered as Kinesis answers it (HTTP 400, body
// "<UnknownOperationException/>"). A body over 8 MiB is answered with HTTP
// 413 and is not decoded. Member names are matched exactly, unknown members
// are ignored, and a body that is not JSON or holds a member of the wrong
// JSON type is answered with SerializationException naming the member and
// the JSON types. An error message repeats at most 300 characters of a
// request value, with control characters escaped.
//
// DescribeImages implements filter.tagStatus (TAGGED, UNTAGGED, ANY),
// maxResults (1 to 1000, default 100) and nextToken: a token is opaque, bound
// to the repository, registry and filter of its listing and to the server
// that made it, and an altered or foreign token is answered with
// InvalidParameterException. maxResults and nextToken cannot be combined with
// imageIds. BatchGetImage answers malformed image identifiers with
// per-image failures (InvalidImageTag, InvalidImageDigest,
// MissingDigestAndTag).
//
// # Validation
//
// The server checks requests against ECR's constraints itself and answers a
// broken one with InvalidParameterException (HTTP 400), one violation per
// answer, naming the member by its name rather than its path:
//
//	Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''
//	Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'
//	Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'
//	Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''
//	Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''
//	Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'
//
// It never answers ValidationException: no answer of ECR with that code is
// on public record.
//
// # What is not known
//
// ECR's behaviour is on public record only in part. These answers are
// ecrtest's own choice or an inference, not an observation of ECR:
//
//   - DescribeImageReplicationStatus: that it checks imageTag and imageDigest
//     against the patterns DescribeImages applies, and which member it
//     reports first when several are wrong (ecrtest: registryId,
//     repositoryName, imageId, imageTag, imageDigest). Whether it checks
//     length or pattern first ("" and "A" break both; ecrtest: length).
//   - The wording for a missing required member ('Member must not be
//     null'), a repository name over 256 characters, a tag over 300, an
//     integer out of range, an enum value, maxResults or nextToken with
//     imageIds, and an invalid nextToken; and the nextToken format.
//   - BatchGetImage's failure reason for InvalidImageTag (InvalidImageDigest
//     and MissingDigestAndTag are as LocalStack's ECR tests have them).
//   - The replication-configuration checks of PutReplicationConfiguration
//     beyond the model's constraints, and their wording.
//   - The answer to a wrong Content-Type (taken from Kinesis), to an unknown
//     target (taken from Kinesis and Firehose: no message), to a body over
//     8 MiB (ECR's limit is not known), and SerializationException's wording.
//   - The signing window: ECR's answers on record say 15 minutes (Kinesis,
//     ECS and Secrets Manager say 5); the "not yet current" form, the region
//     scope message and the wrong-secret message are on record for other
//     AWS services only. Whether ECR checks the key, the time or the region
//     first is not known.
//   - Throttling: ECR's own throttling answer (code form, status) is not on
//     record; FaultThrottle sends the plain form, HTTP 400, "Rate exceeded".
//   - Whether ECR caps the values it repeats in messages.
package ecrtest
