using Spectre.Console.Cli;

namespace Backprop.Cli.Training;

/// <summary>How `train --model gpt` reads the command line: the shared options it uses, W9's values where they are not given, and a clear error for the ones that do not apply.</summary>
internal static class GptRun
{
    /// <summary>The options of the MLP and CNN runs that mean nothing for a GPT.</summary>
    private static readonly string[] NotForGpt =
        ["--layers", "--activation", "--loss", "--label-smoothing", "--optimizer", "--momentum", "--nesterov", "--schedule", "--augment", "--no-augment", "--epochs", "--label", "--limit", "--detect-anomaly"];

    /// <summary>The GPT options of a command line.</summary>
    public static GptOptions Options(CommandContext context, TrainCommand.Settings settings)
    {
        var given = context.Arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        var wrong = NotForGpt.Where(given.Contains).ToArray();
        if (wrong.Length > 0)
        {
            throw new ArgumentException($"--model gpt trains a transformer with AdamW on a text file, so {string.Join(", ", wrong)} do{(wrong.Length == 1 ? "es" : string.Empty)} not apply; its options are --data, --steps, --batch-size, --context, --width, --depth, --heads, --dropout, --lr, --weight-decay, --warmup-steps, --clip-grad-norm, --eval-interval, --val-fraction, --seed, --threads and --out.");
        }

        var defaults = new GptOptions { Data = string.Empty };
        var options = new GptOptions
        {
            Data = settings.Data ?? TrainingData.Bundled("tinyshakespeare", "input.txt"),
            Steps = settings.Steps,
            BatchSize = given.Contains("--batch-size") ? settings.BatchSize : defaults.BatchSize,
            Context = settings.Context,
            Width = settings.Width,
            Depth = settings.Depth,
            Heads = settings.Heads,
            Dropout = settings.Dropout,
            LearningRate = given.Contains("--lr") ? settings.LearningRate : defaults.LearningRate,
            WeightDecay = given.Contains("--weight-decay") ? settings.WeightDecay : defaults.WeightDecay,
            ClipGradNorm = given.Contains("--clip-grad-norm") ? settings.ClipGradNorm : defaults.ClipGradNorm,
            WarmupSteps = given.Contains("--warmup-steps") ? settings.WarmupSteps : defaults.WarmupSteps,
            ValidationFraction = given.Contains("--val-fraction") ? settings.ValidationFraction : defaults.ValidationFraction,
            EvalInterval = settings.EvalInterval,
            Seed = settings.Seed,
            Threads = settings.Threads,
        };
        if (options.Steps <= 0 || options.Context <= 0 || options.Width <= 0 || options.Depth <= 0 || options.Heads <= 0 || options.EvalInterval <= 0 || options.Width % options.Heads != 0)
        {
            throw new ArgumentException($"--steps ({options.Steps}), --context ({options.Context}), --width ({options.Width}), --depth ({options.Depth}), --heads ({options.Heads}) and --eval-interval ({options.EvalInterval}) must be positive, with --width a multiple of --heads.");
        }

        if (options.Dropout is < 0f or >= 1f)
        {
            throw new ArgumentException($"--dropout must be in [0, 1), got {options.Dropout}.");
        }

        return options;
    }
}
