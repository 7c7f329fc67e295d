/**
 * RetrainAndPromote — the whole pipeline in one declaration (issue 9): a training service, a retraining run on the
 * dataset blob, and a ModelRollout of the trained model to the targets, gated and verified, in waves. With `model`
 * (e.g. `pinnedModel(config, "model", storage)`, issue 17) the rollout promotes that pinned model instead: the
 * run still trains, and the model-update automation proposes its output as the next pin in a pull request.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BlobLocation, GlobalParameterValue } from "../lifecycle/retrainingRun";
import { ModelRollout, ModelRolloutArgs } from "./modelRollout";
import { RetrainingRun } from "./retrainingRun";
import { TrainingService, TrainingServiceArgs } from "./trainingService";

export interface RetrainAndPromoteArgs extends Omit<ModelRolloutArgs, "model"> {
  /** The model to roll out; default the run's output. A pin from stack config makes the merge the approval. */
  model?: ModelRolloutArgs["model"];
  /** The training web service: a TrainingService of this stack, or its location and key. */
  training: TrainingService | TrainingServiceArgs;
  /** The dataset blob; a new version of it trains again. */
  dataset: pulumi.Input<BlobLocation>;
  /** Where the run writes the model and its evaluation. */
  outputContainer: pulumi.Input<string>;
  outputPrefix?: pulumi.Input<string>;
  globalParameters?: pulumi.Input<Record<string, pulumi.Input<GlobalParameterValue>>>;
  /** BES polling interval, seconds. */
  pollIntervalSeconds?: pulumi.Input<number>;
}

export class RetrainAndPromote extends pulumi.ComponentResource {
  public readonly trainingService: TrainingService;
  public readonly run: RetrainingRun;
  public readonly rollout: ModelRollout;

  constructor(name: string, args: RetrainAndPromoteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("azureml-retrain:index:RetrainAndPromote", name, {}, opts);
    const { training, dataset, outputContainer, outputPrefix, globalParameters, pollIntervalSeconds, model, ...rollout } = args;
    this.trainingService = training instanceof TrainingService ? training : new TrainingService(`${name}-training`, training, { parent: this });
    const storage = {
      storageAccountName: args.storageAccountName,
      storageBlobEndpoint: args.storageBlobEndpoint,
      storageAccountKey: args.storageAccountKey,
      storageUserDelegationKey: args.storageUserDelegationKey,
    };
    this.run = new RetrainingRun(
      `${name}-run`,
      { trainingService: this.trainingService, input: dataset, outputContainer, outputPrefix: outputPrefix ?? name, globalParameters, pollIntervalSeconds, http: args.http, ...storage },
      { parent: this },
    );
    this.rollout = new ModelRollout(`${name}-rollout`, { ...rollout, model: model ?? this.run.model }, { parent: this });
    this.registerOutputs({ model: this.run.model, bound: this.rollout.bound });
  }
}
