using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Backprop.Cli.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Generation;

/// <summary>`backprop generate`: samples text from a GPT trained by `train --model gpt`, writing each character as it is drawn.</summary>
internal sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("The model.safetensors of a `backprop train --model gpt` run.")]
        public string? Model { get; init; }

        [CommandOption("--prompt <TEXT>")]
        [Description("The text to continue (its characters must be in the model's vocabulary).")]
        [DefaultValue("\n")]
        public string Prompt { get; init; } = "\n";

        [CommandOption("--tokens <N>")]
        [Description("How many characters to generate.")]
        [DefaultValue(500)]
        public int Tokens { get; init; } = 500;

        [CommandOption("--temperature <T>")]
        [Description("Below 1 more predictable, above 1 more surprising; 0 always takes the most likely character.")]
        [DefaultValue(0.8f)]
        public float Temperature { get; init; } = 0.8f;

        [CommandOption("--top-k <K>")]
        [Description("Draw only among the K most likely characters (0: all).")]
        [DefaultValue(40)]
        public int TopK { get; init; } = 40;

        [CommandOption("--seed <N>")]
        [Description("Seed of the sampling; the same seed gives the same text.")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1UL;

        [CommandOption("--threads <N>")]
        [Description("Threads for the kernels (one token at a time is small work: 1 is fastest).")]
        [DefaultValue(1)]
        public int Threads { get; init; } = 1;

        public override ValidationResult Validate() =>
            Model is null ? ValidationResult.Error("--model is required: the model.safetensors of a `backprop train --model gpt` run.")
            : Tokens < 0 || TopK < 0 || Threads < 0 ? ValidationResult.Error("--tokens, --top-k and --threads must not be negative.")
            : !(Temperature >= 0f && float.IsFinite(Temperature)) ? ValidationResult.Error($"--temperature must be a number >= 0, got {Temperature}.")
            : Prompt.Length == 0 ? ValidationResult.Error("--prompt must have at least one character.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = GptFile.Load(settings.Model!);
        var prompt = file.Vocabulary.Encode(settings.Prompt);
        var previous = Threads.Count;
        Threads.Count = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        try
        {
            console.Write(settings.Prompt);
            var watch = Stopwatch.StartNew();
            var count = 0;
            foreach (var token in file.Model.Generate(prompt, settings.Tokens, settings.Temperature, settings.TopK > 0 ? settings.TopK : null, new Generator(settings.Seed)))
            {
                console.Write(file.Vocabulary.Decode(token));
                count++;
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }

            console.WriteLine();
            var seconds = watch.Elapsed.TotalSeconds;
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]{count} characters in {seconds:F2} s ({count / Math.Max(seconds, 1e-9):N0} per second), temperature {settings.Temperature}, top-k {settings.TopK}, seed {settings.Seed}[/]"));
        }
        finally
        {
            Threads.Count = previous;
        }

        return 0;
    }
}
