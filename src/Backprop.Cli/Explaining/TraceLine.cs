namespace Backprop.Cli.Explaining;

/// <summary>One line of a step's explanation: a name, the formula that computed it, and the value.</summary>
/// <param name="Name">The quantity ("Zh", "Eo", "dWo").</param>
/// <param name="Formula">How it is computed ("Zh = X·Wh + Bh").</param>
/// <param name="Value">The numbers.</param>
internal sealed record TraceLine(string Name, string Formula, Tensor Value);
