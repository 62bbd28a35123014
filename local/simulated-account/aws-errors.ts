/**
 * Errors of the simulated account, shaped as the AWS SDK v3 surfaces them: the SDK's own
 * exception classes where the service models the error, else the service's base exception with
 * the error code as `name`, and the HTTP status in `$metadata`.
 */
import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SESServiceException } from '@aws-sdk/client-ses';

export function noSuchEntity(message: string): NoSuchEntityException {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}

export function iamValidationError(message: string): IAMServiceException {
  return new IAMServiceException({
    name: 'ValidationError',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

/** IAM's unmodelled Throttling code, as SDK v3 surfaces it. */
export function iamThrottling(): IAMServiceException {
  return new IAMServiceException({
    name: 'Throttling',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });
}

export function s3InvalidArgument(message: string): S3ServiceException {
  return new S3ServiceException({
    name: 'InvalidArgument',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

export function sesError(name: string, message: string, status = 400): SESServiceException {
  return new SESServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status },
  });
}
