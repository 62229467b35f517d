using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Backprop.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Training;

/// <summary>`backprop train`: trains an MLP (by default 784-256-128-10 ReLU on the bundled MNIST) and saves it.</summary>
internal sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--layers <SIZES>")]
        [Description("Layer sizes, input first: 784,256,128,10.")]
        public string? Layers { get; init; }

        [CommandOption("--activation <NAME>")]
        [Description("Hidden activation: relu, leaky-relu, sigmoid, tanh, gelu.")]
        public string? Activation { get; init; }

        [CommandOption("--loss <NAME>")]
        [Description("cross-entropy (default), mse or half-squared (one-hot targets).")]
        public string? Loss { get; init; }

        [CommandOption("--label-smoothing <EPS>")]
        [Description("Label smoothing for cross-entropy, in [0, 1].")]
        public float? LabelSmoothing { get; init; }

        [CommandOption("--optimizer <NAME>")]
        [Description("sgd (default), adam, adamw, rmsprop.")]
        public string? Optimizer { get; init; }

        [CommandOption("--lr <RATE>")]
        [Description("Learning rate (default 0.05).")]
        public float? LearningRate { get; init; }

        [CommandOption("--momentum <M>")]
        [Description("Momentum for sgd and rmsprop (default 0.9).")]
        public float? Momentum { get; init; }

        [CommandOption("--nesterov")]
        [Description("Nesterov momentum for sgd.")]
        public bool Nesterov { get; init; }

        [CommandOption("--weight-decay <WD>")]
        [Description("Weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw).")]
        public float? WeightDecay { get; init; }

        [CommandOption("--schedule <NAME>")]
        [Description("Learning-rate schedule: cosine (default), none, step, exponential, onecycle.")]
        public string? Schedule { get; init; }

        [CommandOption("--warmup-steps <N>")]
        [Description("Linear warm-up over the first N batches.")]
        public int? WarmupSteps { get; init; }

        [CommandOption("--clip-grad-norm <NORM>")]
        [Description("Clip the global gradient norm to NORM.")]
        public float? ClipGradNorm { get; init; }

        [CommandOption("--batch-size <N>")]
        [Description("Samples per batch (default 128).")]
        public int? BatchSize { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Passes over the training data (default 10).")]
        public int? Epochs { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of every random choice (default 1); the same seed gives the same losses.")]
        public ulong? Seed { get; init; }

        [CommandOption("--data <PATH>")]
        [Description("An MNIST directory (default: the bundled copy) or a CSV file.")]
        public string? Data { get; init; }

        [CommandOption("--label <COLUMN>")]
        [Description("The label column of a CSV file.")]
        public string? Label { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("Fraction of a CSV file held out for validation (default 0.2).")]
        public float? ValidationFraction { get; init; }

        [CommandOption("--limit <N>")]
        [Description("Train on the first N samples only (a quick run).")]
        public int? Limit { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Threads for the kernels (default: all cores).")]
        public int? Threads { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: a new folder under runs/).")]
        public string? Out { get; init; }

        [CommandOption("--resume <CHECKPOINT>")]
        [Description("Continue the run saved in a checkpoint.safetensors.")]
        public string? Resume { get; init; }

        public TrainOptions ToOptions(TrainOptions defaults) => defaults with
        {
            Layers = Layers ?? defaults.Layers,
            Activation = Activation ?? defaults.Activation,
            Loss = Loss ?? defaults.Loss,
            LabelSmoothing = LabelSmoothing ?? defaults.LabelSmoothing,
            Optimizer = Optimizer ?? defaults.Optimizer,
            LearningRate = LearningRate ?? defaults.LearningRate,
            Momentum = Momentum ?? defaults.Momentum,
            Nesterov = Nesterov || defaults.Nesterov,
            WeightDecay = WeightDecay ?? defaults.WeightDecay,
            Schedule = Schedule ?? defaults.Schedule,
            WarmupSteps = WarmupSteps ?? defaults.WarmupSteps,
            ClipGradNorm = ClipGradNorm ?? defaults.ClipGradNorm,
            BatchSize = BatchSize ?? defaults.BatchSize,
            Epochs = Epochs ?? defaults.Epochs,
            Seed = Seed ?? defaults.Seed,
            Data = Data ?? defaults.Data,
            Label = Label ?? defaults.Label,
            ValidationFraction = ValidationFraction ?? defaults.ValidationFraction,
            Limit = Limit ?? defaults.Limit,
            Threads = Threads ?? defaults.Threads,
        };

        public override ValidationResult Validate()
        {
            if (BatchSize is <= 0 || Epochs is <= 0 || Limit is < 0 || Threads is < 0 || WarmupSteps is < 0)
            {
                return ValidationResult.Error("--batch-size and --epochs must be positive; --limit, --threads and --warmup-steps must not be negative.");
            }

            if (LearningRate is { } lr && !(lr > 0f && float.IsFinite(lr)))
            {
                return ValidationResult.Error($"--lr must be a positive number, got {lr}.");
            }

            if (ValidationFraction is { } f && !(f > 0f && f < 1f))
            {
                return ValidationResult.Error($"--val-fraction must be between 0 and 1, got {f}.");
            }

            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Checkpoint? resume = null;
        var defaults = new TrainOptions();
        string outDir;
        if (settings.Resume is not null)
        {
            resume = Checkpoint.Load(settings.Resume);
            if (!resume.Metadata.TryGetValue("options", out var saved) || !resume.Metadata.ContainsKey("epoch"))
            {
                throw new ArgumentException($"--resume: {settings.Resume} is not a training checkpoint (its metadata has no options or epoch).");
            }

            defaults = JsonSerializer.Deserialize<TrainOptions>(saved) ?? defaults;
            outDir = settings.Out ?? Path.GetDirectoryName(Path.GetFullPath(settings.Resume))!;
        }
        else
        {
            outDir = settings.Out ?? NewRunDirectory();
        }

        var options = resume is null ? settings.ToOptions(defaults) : defaults with { Epochs = settings.Epochs ?? defaults.Epochs, Threads = settings.Threads ?? defaults.Threads };
        var result = new Trainer(console, options, outDir, cancellationToken).Run(resume);
        return result.Interrupted ? 130 : 0;
    }

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
