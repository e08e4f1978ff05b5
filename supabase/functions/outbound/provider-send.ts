// The WhatsApp send lives in _shared (the `notify` function sends notifications through it too).
export * from "../_shared/whatsapp-send.ts";
