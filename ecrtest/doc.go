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
// *types.RepositoryNotFoundException.
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
// with [AccessKeyID] and [SecretAccessKey] for service "ecr"; the signature is
// checked by re-signing the request with the SDK's own signer.
//
// # Validation
//
// The server validates requests against the ECR model itself and answers
// ValidationException in the service's style ("1 validation error detected:
// Value 'A' at 'repositoryName' failed to satisfy constraint: Member must
// satisfy regular expression pattern: ..."). At most one violation is
// reported per member: a pattern violation is reported in preference to a
// length violation.
package ecrtest
