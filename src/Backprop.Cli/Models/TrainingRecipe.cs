namespace Backprop.Cli.Models;

/// <summary>The options a preset trains with unless the command line gives them: --optimizer, --lr, --batch-size, --epochs and --augment.</summary>
internal sealed record TrainingRecipe(string Optimizer, float LearningRate, int BatchSize, int Epochs, bool Augment)
{
    /// <summary>The recipe as the options it sets, for the run's description.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--optimizer {Optimizer} --lr {LearningRate} --batch-size {BatchSize} --epochs {Epochs}{(Augment ? " --augment" : string.Empty)}");
}
