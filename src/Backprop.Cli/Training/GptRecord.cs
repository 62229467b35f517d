namespace Backprop.Cli.Training;

/// <summary>One validation measurement of a GPT run: a row of history.csv.</summary>
internal sealed record GptRecord(int Step, double Train, double Validation, float Lr, double TokensPerSecond);
