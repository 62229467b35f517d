using System.ComponentModel;
using Backprop.Cli.Models;
using Backprop.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Export;

/// <summary>`backprop export --onnx`: writes a trained model as an ONNX file that ONNX Runtime can run.</summary>
internal sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--onnx")]
        [Description("Export to ONNX (opset 20, dynamic batch dimension).")]
        public bool Onnx { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The .onnx file to write (default: the model's name with .onnx).")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            !Onnx ? ValidationResult.Error("export: name the format with --onnx (the only one so far).")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var output = settings.Out ?? Path.ChangeExtension(settings.Model!, ".onnx");
        var stored = File.Exists(settings.Model) ? Safetensors.Load(settings.Model) : null;
        if (stored is not null && GptFile.IsGpt(stored))
        {
            var gpt = GptFile.From(settings.Model!, stored).Model;
            var c = gpt.Config;
            gpt.ExportOnnx(output, 1, c.ContextLength);
            console.WriteLine($"Wrote {output}: a GPT of {c.Layers} blocks, input int64 token ids [batch, {c.ContextLength}], output logits [batch, {c.ContextLength}, {c.VocabSize}], opset {OnnxExport.Opset}.");
            return 0;
        }

        var file = settings.LoadModel();
        file.Model.ExportOnnx(output, 1, file.Spec.Inputs);
        console.WriteLine($"Wrote {output}: {file.Spec.Name}, input [batch, {file.Spec.Inputs}], output [batch, {file.Spec.Outputs}], opset {OnnxExport.Opset}.");
        return 0;
    }
}
