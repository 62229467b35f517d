using System.Globalization;
using System.Text;

namespace Backprop.Cli.Training;

/// <summary>
/// What a GPT run's loop carries from step to step besides the model and optimizer: the step, the last 50
/// losses (the reported training loss is their mean), the validation generator and the history. A checkpoint
/// saves it in its metadata, so that a resumed run reports what an unbroken one does.
/// </summary>
internal sealed class GptRunState(ulong seed)
{
    private const int Window = 50;
    private readonly Queue<float> _recent = new();

    /// <summary>The steps done.</summary>
    public int Step { get; set; }

    /// <summary>Draws the validation batches, apart from training's generator.</summary>
    public Generator EvalGenerator { get; } = new(seed ^ 0x5EED_0F_7E57UL);

    /// <summary>The measurements so far.</summary>
    public List<GptRecord> History { get; } = [];

    /// <summary>The mean of the last 50 training losses.</summary>
    public double RecentLoss => _recent.Average();

    /// <summary>Adds a step's loss to the window.</summary>
    public void Add(float loss)
    {
        _recent.Enqueue(loss);
        if (_recent.Count > Window)
        {
            _recent.Dequeue();
        }
    }

    /// <summary>history.csv's text.</summary>
    public string HistoryCsv()
    {
        var csv = new StringBuilder("step,train_loss,val_loss,lr,tokens_per_s\n");
        foreach (var h in History)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{h.Step},{h.Train:R},{h.Validation:R},{h.Lr:R},{h.TokensPerSecond:F0}\n");
        }

        return csv.ToString();
    }

    /// <summary>The state as checkpoint metadata, with the training generator's.</summary>
    public Dictionary<string, string> ToMetadata(Generator training) => new(StringComparer.Ordinal)
    {
        ["step"] = Step.ToString(CultureInfo.InvariantCulture),
        ["generator"] = training.SaveState(),
        ["eval_generator"] = EvalGenerator.SaveState(),
        ["recent_losses"] = string.Join(',', _recent.Select(l => l.ToString("R", CultureInfo.InvariantCulture))),
        ["history"] = HistoryCsv(),
    };

    /// <summary>Takes back the state a checkpoint's metadata holds.</summary>
    public void Restore(IReadOnlyDictionary<string, string> metadata, Generator training)
    {
        string Get(string key) => metadata.TryGetValue(key, out var value) ? value : throw new ArgumentException($"--resume: the checkpoint's metadata has no {key}; it was not written by train --model gpt.");
        Step = int.Parse(Get("step"), CultureInfo.InvariantCulture);
        training.RestoreState(Get("generator"));
        EvalGenerator.RestoreState(Get("eval_generator"));
        foreach (var loss in Get("recent_losses").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Add(float.Parse(loss, CultureInfo.InvariantCulture));
        }

        foreach (var line in Get("history").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var f = line.Split(',');
            History.Add(new(int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture), float.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)));
        }
    }
}
