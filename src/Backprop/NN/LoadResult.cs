namespace Backprop.NN;

/// <summary>What <see cref="Module.LoadStateDict"/> did not match: keys the model has that the state lacked, and the reverse.</summary>
/// <param name="MissingKeys">Keys of the model that the state dict did not hold.</param>
/// <param name="UnexpectedKeys">Keys of the state dict that the model does not have.</param>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
