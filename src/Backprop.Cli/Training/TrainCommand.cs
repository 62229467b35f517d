using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Backprop.Cli.Models;
using Backprop.Distributed;
using Backprop.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Training;

/// <summary>`backprop train`: trains an MLP (by default 784-256-128-10 ReLU on the bundled MNIST) and saves it.</summary>
internal sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <SPEC>")]
        [Description("The network: a preset (mlp, cnn, lenet5, resnet-mini, or gpt: a character-level transformer on a text file) or a model file, one PyTorch layer per line (docs/guide.md); without it, the MLP of --layers and --activation.")]
        public string? Model { get; init; }

        [CommandOption("--steps <N>")]
        [Description("gpt: training steps (batches of random windows).")]
        [DefaultValue(2000)]
        public int Steps { get; init; } = 2000;

        [CommandOption("--context <N>")]
        [Description("gpt: characters the model sees at once.")]
        [DefaultValue(64)]
        public int Context { get; init; } = 64;

        [CommandOption("--width <N>")]
        [Description("gpt: embedding width (a multiple of --heads).")]
        [DefaultValue(128)]
        public int Width { get; init; } = 128;

        [CommandOption("--depth <N>")]
        [Description("gpt: transformer blocks.")]
        [DefaultValue(4)]
        public int Depth { get; init; } = 4;

        [CommandOption("--heads <N>")]
        [Description("gpt: attention heads per block.")]
        [DefaultValue(4)]
        public int Heads { get; init; } = 4;

        [CommandOption("--dropout <P>")]
        [Description("gpt: dropout on embeddings, attention and residual branches.")]
        [DefaultValue(0f)]
        public float Dropout { get; init; }

        [CommandOption("--eval-interval <N>")]
        [Description("gpt: steps between validation-loss measurements and checkpoints.")]
        [DefaultValue(250)]
        public int EvalInterval { get; init; } = 250;

        [CommandOption("--layers <SIZES>")]
        [Description("Layer sizes, input first.")]
        [DefaultValue("784,256,128,10")]
        public string Layers { get; init; } = "784,256,128,10";

        [CommandOption("--activation <NAME>")]
        [Description("Hidden activation: relu, leaky-relu, sigmoid, tanh, gelu.")]
        [DefaultValue("relu")]
        public string Activation { get; init; } = "relu";

        [CommandOption("--loss <NAME>")]
        [Description("cross-entropy, mse or half-squared (one-hot targets).")]
        [DefaultValue("cross-entropy")]
        public string Loss { get; init; } = "cross-entropy";

        [CommandOption("--label-smoothing <EPS>")]
        [Description("Label smoothing for cross-entropy, from 0 to 1.")]
        [DefaultValue(0f)]
        public float LabelSmoothing { get; init; } = 0f;

        [CommandOption("--optimizer <NAME>")]
        [Description("sgd, adam, adamw, rmsprop.")]
        [DefaultValue("sgd")]
        public string Optimizer { get; init; } = "sgd";

        [CommandOption("--lr <RATE>")]
        [Description("Learning rate.")]
        [DefaultValue(0.05f)]
        public float LearningRate { get; init; } = 0.05f;

        [CommandOption("--momentum <M>")]
        [Description("Momentum for sgd and rmsprop.")]
        [DefaultValue(0.9f)]
        public float Momentum { get; init; } = 0.9f;

        [CommandOption("--nesterov")]
        [Description("Nesterov momentum for sgd.")]
        public bool Nesterov { get; init; }

        [CommandOption("--weight-decay <WD>")]
        [Description("Weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw).")]
        [DefaultValue(0f)]
        public float WeightDecay { get; init; } = 0f;

        [CommandOption("--schedule <NAME>")]
        [Description("Learning-rate schedule: cosine, none, step, exponential, onecycle.")]
        [DefaultValue("cosine")]
        public string Schedule { get; init; } = "cosine";

        [CommandOption("--warmup-steps <N>")]
        [Description("Linear warm-up over the first N batches.")]
        [DefaultValue(0)]
        public int WarmupSteps { get; init; } = 0;

        [CommandOption("--clip-grad-norm <NORM>")]
        [Description("Clip the global gradient norm to NORM (0: no clipping).")]
        [DefaultValue(0f)]
        public float ClipGradNorm { get; init; } = 0f;

        [CommandOption("--detect-anomaly")]
        [Description("Check every op's output and every gradient for NaN and infinity, and name the first op that makes one (slower).")]
        [DefaultValue(false)]
        public bool DetectAnomaly { get; init; }

        [CommandOption("--augment")]
        [Description("Shift each training image by up to 2 pixels and rotate it by up to 10 degrees, anew every epoch (square grey images, like MNIST).")]
        [DefaultValue(false)]
        public bool Augment { get; init; }

        [CommandOption("--no-augment")]
        [Description("Train a preset whose recipe augments (cnn) without augmentation.")]
        [DefaultValue(false)]
        public bool NoAugment { get; init; }

        [CommandOption("--batch-size <N>")]
        [Description("Samples per batch.")]
        [DefaultValue(128)]
        public int BatchSize { get; init; } = 128;

        [CommandOption("--epochs <N>")]
        [Description("Passes over the training data.")]
        [DefaultValue(10)]
        public int Epochs { get; init; } = 10;

        [CommandOption("--seed <N>")]
        [Description("Seed of every random choice; the same seed gives the same losses.")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1UL;

        [CommandOption("--data <PATH>")]
        [Description("An MNIST directory (default: the bundled copy) or a CSV file; for --model gpt, a UTF-8 text file (default: the bundled Tiny Shakespeare).")]
        public string? Data { get; init; }

        [CommandOption("--label <COLUMN>")]
        [Description("The label column of a CSV file.")]
        public string? Label { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("Fraction of a CSV file held out for validation.")]
        [DefaultValue(0.2f)]
        public float ValidationFraction { get; init; } = 0.2f;

        [CommandOption("--limit <N>")]
        [Description("Train on the first N samples only, a quick run (0: all).")]
        [DefaultValue(0)]
        public int Limit { get; init; } = 0;

        [CommandOption("--threads <N>")]
        [Description("Threads for the kernels (0: all cores).")]
        [DefaultValue(0)]
        public int Threads { get; init; } = 0;

        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: a new folder under runs/).")]
        public string? Out { get; init; }

        [CommandOption("--distributed")]
        [Description("Train data-parallel over the ranks mpiexec (or srun) started, one process per rank; --batch-size is the global batch, split among them (docs/distributed.md).")]
        [DefaultValue(false)]
        public bool Distributed { get; init; }

        [CommandOption("--sync-batchnorm")]
        [Description("--distributed: normalize with the statistics of the whole global batch, pooled over the ranks (SyncBatchNorm), instead of each rank's share.")]
        [DefaultValue(false)]
        public bool SyncBatchNorm { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("--distributed: how long a rank waits for the others before it stops the job, naming the ranks that stopped answering.")]
        [DefaultValue(60.0)]
        public double Timeout { get; init; } = 60.0;

        [CommandOption("--resume <CHECKPOINT>")]
        [Description("Continue the run saved in a checkpoint.safetensors.")]
        public string? Resume { get; init; }

        /// <summary>The options this command line sets.</summary>
        public TrainOptions ToOptions()
        {
            var spec = Model is null ? null : ModelPresets.Resolve(Model);
            return new()
            {
                Layers = Layers,
                Activation = Activation,
                Model = spec?.Text,
                ModelName = spec?.Name,
                Loss = Loss,
                LabelSmoothing = LabelSmoothing,
                Optimizer = Optimizer,
                LearningRate = LearningRate,
                Momentum = Momentum,
                Nesterov = Nesterov,
                WeightDecay = WeightDecay,
                Schedule = Schedule,
                WarmupSteps = WarmupSteps,
                ClipGradNorm = ClipGradNorm,
                DetectAnomaly = DetectAnomaly,
                Augment = Augment,
                BatchSize = BatchSize,
                Epochs = Epochs,
                Seed = Seed,
                Data = Data,
                Label = Label,
                ValidationFraction = ValidationFraction,
                Limit = Limit,
                Threads = Threads,
                SyncBatchNorm = SyncBatchNorm,
            };
        }

        /// <summary>More threads than this per processor only wait for each other.</summary>
        private const int MaxThreadsPerProcessor = 4;

        /// <summary>The longest --timeout: a day.</summary>
        private const double MaxTimeoutSeconds = 86_400;

        /// <summary>The largest batch: 2^24 samples.</summary>
        private const int MaxBatchSize = 1 << 24;

        public override ValidationResult Validate()
        {
            if (BatchSize <= 0 || Epochs <= 0 || Limit < 0 || Threads < 0 || WarmupSteps < 0)
            {
                return ValidationResult.Error("--batch-size and --epochs must be positive; --limit, --threads and --warmup-steps must not be negative.");
            }

            if (!(LearningRate > 0f && float.IsFinite(LearningRate)))
            {
                return ValidationResult.Error($"--lr must be a positive number, got {LearningRate}.");
            }

            if (!(ValidationFraction > 0f && ValidationFraction < 1f))
            {
                return ValidationResult.Error($"--val-fraction must be between 0 and 1, got {ValidationFraction}.");
            }

            if (!(WeightDecay >= 0f && float.IsFinite(WeightDecay)) || !(Momentum >= 0f && Momentum < 1f) || !(ClipGradNorm >= 0f && float.IsFinite(ClipGradNorm)))
            {
                return ValidationResult.Error($"--weight-decay ({WeightDecay}) and --clip-grad-norm ({ClipGradNorm}, 0 for none) must be finite numbers >= 0, and --momentum ({Momentum}) in [0, 1).");
            }

            if (Threads > MaxThreadsPerProcessor * Environment.ProcessorCount)
            {
                return ValidationResult.Error($"--threads {Threads}: this machine has {Environment.ProcessorCount} processors; use at most {MaxThreadsPerProcessor * Environment.ProcessorCount} (0 for one per processor).");
            }

            if (Augment && NoAugment)
            {
                return ValidationResult.Error("--augment and --no-augment contradict each other; give one.");
            }

            if (SyncBatchNorm && !Distributed)
            {
                return ValidationResult.Error("--sync-batchnorm pools BatchNorm's statistics over the ranks of a --distributed run; add --distributed.");
            }

            if (!(Timeout > 0 && Timeout <= MaxTimeoutSeconds))
            {
                return ValidationResult.Error($"--timeout must be a number of seconds from 0 to {MaxTimeoutSeconds}, got {Timeout}.");
            }

            if (BatchSize > MaxBatchSize)
            {
                return ValidationResult.Error($"--batch-size {BatchSize} is larger than any data set it could batch; use at most {MaxBatchSize:N0}.");
            }

            return ValidationResult.Success();
        }
    }

    /// <summary>The options a resumed run may still set; the checkpoint fixes every other.</summary>
    private static readonly string[] ResumeOptions = ["--resume", "--epochs", "--threads", "--out", "--detect-anomaly", "--distributed", "--timeout"];

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var ranks = RankCount();
        if (!settings.Distributed && ranks > 1)
        {
            throw new ArgumentException($"an MPI launcher started this process as one of {ranks} ranks, but without --distributed each rank would train alone and write the same files; add --distributed.");
        }

        using var mpi = settings.Distributed ? Communicator.Mpi(TimeSpan.FromSeconds(settings.Timeout)) : null;
        var communicator = mpi ?? Communicator.Local;
        var where = communicator.AllGather($"rank {communicator.Rank} pid {Environment.ProcessId} on {Environment.MachineName}");
        if (communicator.Rank != 0)
        {
            // Rank 0 alone prints progress and writes files; the others speak only of their own errors.
            try
            {
                return Train(context, settings, RankZeroConsole.Silent(), communicator, cancellationToken);
            }
            catch (Exception e)
            {
                RankZeroConsole.ReportAndAbort(console, communicator, e);
                throw;
            }
        }

        if (settings.Distributed)
        {
            console.MarkupLine(Markup.Escape(communicator.Size == 1
                ? $"--distributed: 1 rank ({communicator.Description}); start it with 'mpiexec -n N backprop train --distributed …' to train on N."
                : $"distributed: {communicator.Description}: {string.Join(", ", where)}"));
        }

        try
        {
            return Train(context, settings, console, communicator, cancellationToken);
        }
        catch (Exception e) when (communicator.Size > 1)
        {
            RankZeroConsole.ReportAndAbort(console, communicator, e);
            throw;
        }
    }

    /// <summary>The number of ranks an MPI launcher says it started, without loading MPI (1 when none did).</summary>
    private static int RankCount()
    {
        // Not SLURM_NTASKS: a batch script's own `backprop train` sees it too, without being one of srun's ranks.
        foreach (var name in (string[])["PMI_SIZE", "OMPI_COMM_WORLD_SIZE"])
        {
            if (int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
            {
                return size;
            }
        }

        return 1;
    }

    private static int Train(CommandContext context, Settings settings, IAnsiConsole console, ICommunicator communicator, CancellationToken cancellationToken)
    {
        if (settings.Model == GptFile.Kind && settings.Resume is null)
        {
            var gpt = GptRun.Options(context, settings);
            return new GptTrainer(console, gpt, settings.Out ?? NewRunDirectory(communicator), communicator, cancellationToken).Run() ? 130 : 0;
        }

        Checkpoint? resume = null;
        TrainOptions options;
        string outDir;
        if (settings.Resume is not null)
        {
            var fixedByCheckpoint = context.Arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]).Except(ResumeOptions).ToArray();
            if (fixedByCheckpoint.Length > 0)
            {
                throw new ArgumentException($"--resume continues the run as its checkpoint saved it, so {string.Join(", ", fixedByCheckpoint)} cannot change it; with --resume only {string.Join(", ", ResumeOptions.Skip(1))} may be given. Start a new run to change the others.");
            }

            resume = Checkpoint.Load(settings.Resume);
            if (resume.Metadata.GetValueOrDefault("model") == GptFile.Kind && resume.Metadata.TryGetValue("gpt_options", out var gptSaved))
            {
                var gpt = JsonSerializer.Deserialize(gptSaved, MetadataJson.Default.GptOptions) ?? throw new ArgumentException($"--resume: {settings.Resume} holds no training options.");
                gpt = context.Arguments.Contains("--threads") ? gpt with { Threads = settings.Threads } : gpt;
                var gptDir = settings.Out ?? Path.GetDirectoryName(Path.GetFullPath(settings.Resume))!;
                return new GptTrainer(console, gpt, gptDir, communicator, cancellationToken).Run(resume) ? 130 : 0;
            }

            if (!resume.Metadata.TryGetValue("options", out var saved) || !resume.Metadata.ContainsKey("epoch"))
            {
                throw new ArgumentException($"--resume: {settings.Resume} is not a training checkpoint (its metadata has no options or epoch).");
            }

            var given = context.Arguments.ToHashSet(StringComparer.Ordinal);
            var checkpointOptions = JsonSerializer.Deserialize(saved, MetadataJson.Default.TrainOptions) ?? throw new ArgumentException($"--resume: {settings.Resume} holds no training options.");
            options = checkpointOptions with
            {
                Epochs = given.Contains("--epochs") ? settings.Epochs : checkpointOptions.Epochs,
                Threads = given.Contains("--threads") ? settings.Threads : checkpointOptions.Threads,
                DetectAnomaly = settings.DetectAnomaly,
            };
            outDir = settings.Out ?? Path.GetDirectoryName(Path.GetFullPath(settings.Resume))!;
        }
        else
        {
            var mlpOptions = context.Arguments.Where(a => a.Split('=')[0] is "--layers" or "--activation").ToArray();
            if (settings.Model is not null && mlpOptions.Length > 0)
            {
                throw new ArgumentException($"--model {settings.Model} names the whole network, so {string.Join(" and ", mlpOptions.Select(a => a.Split('=')[0]))} cannot be given with it; write the layers in a model file instead.");
            }

            options = settings.ToOptions();
            if (settings.Model is not null && ModelPresets.Recipes.TryGetValue(settings.Model, out var recipe))
            {
                // A preset's recipe fills in what the command line leaves out; anything given explicitly wins.
                var given = context.Arguments.Select(a => a.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
                options = options with
                {
                    Optimizer = given.Contains("--optimizer") ? options.Optimizer : recipe.Optimizer,
                    LearningRate = given.Contains("--lr") ? options.LearningRate : recipe.LearningRate,
                    BatchSize = given.Contains("--batch-size") ? options.BatchSize : recipe.BatchSize,
                    Epochs = given.Contains("--epochs") ? options.Epochs : recipe.Epochs,
                    Augment = options.Augment || (recipe.Augment && !settings.NoAugment),
                };
                console.MarkupLine($"[grey]preset {Markup.Escape(settings.Model)} trains with {Markup.Escape(recipe.ToString())} unless told otherwise[/]");
            }
            outDir = settings.Out ?? NewRunDirectory(communicator);
        }

        var result = new Trainer(console, options, outDir, communicator, cancellationToken).Run(resume);
        return result.Interrupted ? 130 : 0;
    }

    /// <summary>A new folder under runs/ named after the time: rank 0's name, on every rank.</summary>
    private static string NewRunDirectory(ICommunicator communicator) => communicator.AllGather(NewRunDirectory())[0];

    private static string NewRunDirectory()
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine("runs", stamp);
        for (var i = 2; Directory.Exists(path); i++)
        {
            path = Path.Combine("runs", $"{stamp}-{i}");
        }

        return path;
    }
}
