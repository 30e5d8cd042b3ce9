-- The starting catalogue of self-service guidance for client errors (PRODUCT §4).
-- Agents edit these later; the same SQL runs on both engines (postgres/ links here).
-- Selection: an exact status code with matching message keywords wins over the bare
-- code, which wins over the catch-all "4xx" article.

INSERT INTO guidance_articles (slug, codes, keywords, title, summary, checks, call_again, retry_same_request, position, updated_at) VALUES
('bad-request', '400', '',
 '400 Bad Request: a parameter is missing or malformed',
 'The API could not read your request. Something in the parameters or the body is missing, misspelled or in the wrong format. The message field usually names it.',
 'Read the message field: it names the parameter that was rejected.
Compare every required parameter in the endpoint''s reference with what you sent, including its spelling and letter case.
Check formats: dates and times in ISO 8601, numbers not quoted as strings, enum values spelled exactly as documented.
If you send a body, make sure it is valid JSON and that the Content-Type header is application/json.
Make sure query-string values are URL-encoded (spaces, +, & and # in values).',
 'Fix the parameter named in the message and send the corrected request. Sending the same request again will fail the same way.',
 FALSE, 10, 0),
('token-expired', '401', 'token+expired|token+expir|jwt+expired|expired',
 '401 Unauthorized: your access token has expired',
 'The token you sent was valid once but its lifetime is over. This is normal: tokens expire, and your integration must renew them.',
 'Request a new access token (with your refresh token or client credentials, as your integration does).
Check that your server clock is correct: a clock that runs ahead makes fresh tokens look expired.
Store the token''s expiry time and renew a little before it, not after a failure.',
 'Send the same request once more with the new token. If a brand-new token is rejected as expired too, file the report again and choose "still failing".',
 FALSE, 20, 0),
('token-missing', '401', 'missing+token|no+token|token+required|missing+authorization|authorization+header|no+authorization',
 '401 Unauthorized: no token reached the API',
 'The request arrived without credentials. Usually the Authorization header was never set, or something between you and the API removed it.',
 'Send the header exactly as Authorization: Bearer <your token>, with one space after Bearer.
Check that your HTTP client sets the header on this request, not only on others.
Many HTTP clients drop the Authorization header when they follow a redirect to another host: call the final URL directly.
If a proxy or gateway sits in front of your client, check that it forwards the Authorization header.',
 'Set the header and send the request again.',
 FALSE, 30, 0),
('unauthorized', '401', '',
 '401 Unauthorized: the token was not accepted',
 'The API did not accept the credentials you sent: the token is invalid, revoked, or belongs to another environment.',
 'Check that the token is complete: a token copied with a missing character or a trailing space is invalid.
Check the environment: sandbox tokens do not work in production, and production tokens do not work in sandbox.
Check in the console that the token has not been revoked or rotated.
Send it as Authorization: Bearer <your token>.',
 'Correct the token and call again. No retry of the same request: it will be rejected the same way.',
 FALSE, 40, 0),
('scope-missing', '403', 'scope|permission|not+permitted|insufficient',
 '403 Forbidden: your token lacks a permission (scope)',
 'Your token is valid, but it was not granted the scope this endpoint needs. The message usually names the missing scope.',
 'Find the scope named in the message (for example orders:write).
Check which scopes your token was issued with in the console.
Issue a new token, or re-authorise the application, with that scope added.',
 'Call again with a token that carries the scope. The same token will be refused again.',
 FALSE, 50, 0),
('forbidden', '403', '',
 '403 Forbidden: you may not access this resource',
 'The API knows who you are but will not let this account do this: the resource belongs to another account, or your role does not allow the action.',
 'Check that the resource id belongs to your account and to the environment you are calling.
Check your account''s role and permissions in the console.
Check whether the action needs an account-level setting or plan feature to be enabled.',
 'Change the request (another resource, another account''s token) or ask your account owner for the permission, then call again.',
 FALSE, 60, 0),
('not-found', '404', '',
 '404 Not Found: the path or the resource id does not exist',
 'Either the URL is not an endpoint of the API, or the resource you asked for does not exist for your account.',
 'Check the path for typos and for the version prefix (for example /v1/).
Check for a stray or missing trailing slash.
Check that the id exists in the environment you are calling: sandbox ids do not exist in production.
URL-encode ids that contain special characters.
Check whether the resource was deleted.',
 'Correct the path or the id and call again.',
 FALSE, 70, 0),
('method-not-allowed', '405', '',
 '405 Method Not Allowed: this endpoint does not accept that HTTP method',
 'The path exists, but not with the method you used. The response''s Allow header lists the methods it accepts.',
 'Read the Allow header of the response.
Compare the method with the endpoint''s reference (for example PATCH to update, not PUT).
Some HTTP clients turn a POST into a GET when they follow a 301 or 302 redirect: call the final URL directly.',
 'Send the request with one of the methods listed in Allow.',
 FALSE, 80, 0),
('not-acceptable', '406,415', '',
 '406 / 415: content type or Accept header not supported',
 'The API only speaks JSON. A 415 means the body you sent was not in a format it accepts; a 406 means the Accept header asked for a format it cannot produce.',
 'Send request bodies as JSON with the header Content-Type: application/json (not form-encoded, not text/plain).
Send Accept: application/json, or leave Accept out.
Encode the body in UTF-8.',
 'Fix the headers and send the request again.',
 FALSE, 90, 0),
('conflict', '409', '',
 '409 Conflict: the resource is not in a state that allows this',
 'Your request conflicts with the current state of the resource: it already exists, it was changed by someone else since you read it, or it is in a state (such as cancelled) that does not allow the action.',
 'Fetch the resource again and look at its current state.
If you update with a version or If-Match value, use the latest one.
If you reused an Idempotency-Key, use it only for the exact same request body.',
 'Re-apply your change to the current state and call again.',
 FALSE, 100, 0),
('payload-too-large', '413', '',
 '413 Payload Too Large: the request body is over the limit',
 'The body you sent is larger than this endpoint accepts. The message states the limit.',
 'Check the size of the body you send against the limit in the message.
Send large collections in several smaller requests (batches or pages).
Upload files through the dedicated upload endpoint instead of inline in JSON.',
 'Split or shrink the request and send it again.',
 FALSE, 110, 0),
('unprocessable', '422', '',
 '422 Unprocessable: the values are well-formed but not valid',
 'The API understood your request, but one of its values breaks a rule: an end date before a start date, a negative amount, an unknown currency. The message names the field and the rule.',
 'Read the message: it names the field and what is wrong with it.
Check the rules for that field in the endpoint''s reference (ranges, allowed values, combinations).
Check values that depend on each other (dates, totals that must add up).',
 'Correct the value and call again.',
 FALSE, 120, 0),
('rate-limited', '429', '',
 '429 Too Many Requests: slow down, then retry',
 'You sent more requests than your rate limit allows. This is the one client error where retrying the same request is right, after waiting.',
 'Read the Retry-After header: it says how many seconds to wait.
Wait at least that long before retrying; do not retry in a tight loop.
Lower your concurrency, and spread batch jobs over time.
Use exponential backoff with jitter when you retry.',
 'After waiting for Retry-After, send the same request again.',
 TRUE, 130, 0),
('client-error', '4xx', '',
 'Client error: the request needs to change',
 'The API rejected the request as a client error. It is the caller''s to fix: the message field says what to adjust.',
 'Read the message field and act on it.
Check the request parameters against the endpoint''s reference.
Check the request method.
Check that your token is valid and has the permissions this call needs.',
 'Adjust the request as the message says and call again. Sending it unchanged will fail the same way.',
 FALSE, 1000, 0);
