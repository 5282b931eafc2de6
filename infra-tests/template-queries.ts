import type { CfnResource } from 'aws-cdk-lib';
import type { Synthesized } from './synth.ts';

/** A template resource: its properties are whatever its CloudFormation type says. */
export type Resource = { Type: string; Properties?: Record<string, any> };

/** The questions the stack tests ask of a synthesized template, written once. */
export function templateQueries({ stack, template }: Synthesized) {
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const idOf = (c: { node: { defaultChild?: unknown } }) =>
    stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;
  const queueNamed = (name: string) => ofType('AWS::SQS::Queue').find(([, q]) => q.Properties!['QueueName'] === name);
  const tagsOf = (r: Resource) =>
    Object.fromEntries(
      ((r.Properties?.['Tags'] ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
    );
  /** The IAM statements of a function's role, each with its actions and its resources as text. */
  const statementsOf = (fnId: string): { actions: string[]; resources: string }[] => {
    const roleRef = (resources[fnId]!.Properties!['Role'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleRef))
      .flatMap(
        ([, p]) => p.Properties!['PolicyDocument']['Statement'] as { Action: string | string[]; Resource: unknown }[],
      )
      .map((s) => ({ actions: [s.Action].flat(), resources: JSON.stringify(s.Resource) }));
  };
  return { resources, ofType, idOf, queueNamed, tagsOf, statementsOf };
}
