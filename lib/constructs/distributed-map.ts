import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** How cdk-nag prints a value in a finding id: pseudo parameters as `<AWS::X>`. */
export function nagText(stack: Stack, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  const resolved = stack.resolve(value) as unknown;
  const sub = (resolved as { 'Fn::Sub'?: string })?.['Fn::Sub'];
  if (typeof sub === 'string') return sub.replace(/\$\{(AWS::\w+)\}/g, '<$1>');
  const ref = (resolved as { Ref?: string })?.Ref;
  if (typeof ref === 'string' && ref.startsWith('AWS::')) return `<${ref}>`;
  throw new Error(`cannot name ${JSON.stringify(resolved)} in a cdk-nag acknowledgement`);
}

/** The ARN of a state machine by name, known before the machine exists (no circular reference). */
export const stateMachineArn = (stack: Stack, machineName: string): string =>
  stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: machineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/**
 * What a state machine with a Distributed Map needs on its own role: start itself, follow and
 * stop its child executions, manage its map runs; each wildcard acknowledged with its reason.
 */
export function grantDistributedMap(role: iam.IRole, machineName: string): void {
  const stack = Stack.of(role);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(stack, machineName)] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [arn('execution', `${machineName}/*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['states:DescribeMapRun', 'states:UpdateMapRun', 'states:RedriveExecution'],
      resources: [arn('mapRun', `${machineName}/*`)],
    }),
  );
  const region = nagText(stack, stack.region);
  const partition = nagText(stack, stack.partition);
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs vended delivery (the statements CDK adds for tracingEnabled and logs) have no resource-level permissions.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:<AWS::AccountId>:execution:${machineName}/*]`,
      reason:
        'A Distributed Map runs each item as a child execution with a generated name; the wildcard covers only the child executions of this one state machine.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:<AWS::AccountId>:mapRun:${machineName}/*]`,
      reason:
        'Map runs of a Distributed Map have generated labels; the wildcard covers only map runs of this one state machine.',
    },
  );
}
